export * from './errors.js';
export * from './machine-exit-codes.js';
export * from './modules.js';
export * from './queue.js';
export * from './profile.js';
export * from './runs.js';
export * from './machine.js';
export * from './live.js';
