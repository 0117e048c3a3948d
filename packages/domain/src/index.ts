export * from './expand-run.js';
export * from './module-document.js';
export * from './module.js';
export * from './problem.js';
export * from './reference.js';
export * from './resolve-image.js';
export * from './run-state-machine.js';
export * from './validate-deployment.js';
