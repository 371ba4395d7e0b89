import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Suites spawn ffmpeg and the CLI; two cores are shared better by files in sequence.
    fileParallelism: false,
  },
});
