import { defineConfig } from 'vitest/config';

// A run that finds no test file fails (passWithNoTests stays false): an empty green run proves nothing.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    passWithNoTests: false,
    globalSetup: ['test/support/global-postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
