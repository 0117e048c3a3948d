import { fileURLToPath } from 'node:url';

/** The built SPA (`pnpm --filter @slipway/web build`), for the API to serve in production. */
export function webAppDirectory(): string {
  return fileURLToPath(new URL('./dist', import.meta.url));
}
