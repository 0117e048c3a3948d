export * from './errors.js';
export * from './machine-exit-codes.js';
export * from './queue.js';
