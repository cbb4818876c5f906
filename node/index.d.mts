// ESM view of the same declarations (index.mjs re-exports index.cjs).
export * from './index.js';
