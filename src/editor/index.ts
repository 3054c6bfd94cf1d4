// The web editor's pages: static files the server mounts at `/` and under /editor/.
export { registerEditor } from './plugin.js';
export type { EditorOptions } from './plugin.js';
export type { Asset } from './assets.js';
