export * from './connect-database.js';
export * as schema from './schema.js';
