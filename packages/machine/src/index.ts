export * from './machine-files.js';
