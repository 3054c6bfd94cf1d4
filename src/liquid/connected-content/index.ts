import type { Liquid } from 'liquidjs';
import type { ConnectedContentOptions } from '../types.js';

/** Registers the `connected_content` tag. (Placeholder until the tag lands.) */
export function registerConnectedContent(_liquid: Liquid, _options: ConnectedContentOptions = {}): void {}
