// Positions in `.webhook.liquid` files live with the file format (the template check at load
// uses them too); the CLI keeps importing them from here.
export * from '../render/file-positions.js';
