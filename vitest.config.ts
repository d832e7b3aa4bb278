import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/kernel/**/*.test.ts', 'test/remote/**/*.test.ts'],
    // Kernel tests share one kernel and one set of loaded fixtures: run files one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
