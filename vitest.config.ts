import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Unit, integration and browser tests. Each test file runs in its own process (forks pool,
 * isolated): chDB allows one data directory per process, and every file opens its own stores.
 * Two at a time suits the 2-core machines CI runs on; browser tests build on `next build`,
 * which scripts/test.ts runs first.
 */
export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    isolate: true,
    maxWorkers: 2,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
  },
});
