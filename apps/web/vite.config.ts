import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Development only: the API the dev server forwards /api to (`pnpm slipway start` listens on 8080).
const apiUrl = process.env.SLIPWAY_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/api': { target: apiUrl, changeOrigin: false } },
  },
  build: { outDir: 'dist', emptyOutDir: true },
  test: {
    environment: 'happy-dom',
    environmentOptions: { happyDOM: { url: 'http://localhost:5173' } },
    include: ['src/**/*.test.tsx', 'src/**/*.test.ts'],
    setupFiles: ['src/testing/setup.ts'],
    testTimeout: 30_000,
  },
});
