// Package root: the library API of liquidhook.
export * from './liquid/index.js';
