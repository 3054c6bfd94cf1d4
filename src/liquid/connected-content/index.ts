// Braze's `{% connected_content %}` tag for the liquidhook engine.
import type { Liquid } from 'liquidjs';
import type { ConnectedContentOptions } from '../types.js';
import { installConnectedContent } from './tag.js';

/** Registers the `connected_content` tag; its response cache is shared by every render of `liquid`. */
export function registerConnectedContent(liquid: Liquid, options: ConnectedContentOptions = {}): void {
  installConnectedContent(liquid, options);
}

export { ConnectedContentFetchError, createUndiciFetcher } from './fetcher.js';
export { ConnectedContentSyntaxError, parseConnectedContentMarkup } from './markup.js';
