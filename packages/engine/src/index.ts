export * from './apply-run-event.js';
export * from './create-run-records.js';
export * from './event-bus.js';
export * from './machine-tokens.js';
export * from './publish-run-messages.js';
export * from './run-messages.js';
export * from './tokens.js';
