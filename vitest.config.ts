import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Tests that start servers or browsers share two cores: keep parallelism modest.
    maxWorkers: 2,
  },
});
