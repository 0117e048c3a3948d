export { loadConfig, type ApiConfig } from './config.js';
export { startApi, type RunningApi } from './start-api.js';
export { createAdminToken } from './auth/accounts.js';
export { seedContent } from './content/seed-content.js';
