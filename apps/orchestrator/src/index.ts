export * from './config.js';
export * from './deps.js';
export * from './reconcile-run.js';
export * from './start-orchestrator.js';
export * from './sweep.js';
