import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-tmp.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // CI has two cores: more forks only add contention.
    pool: 'forks',
    maxWorkers: 2,
  },
});
