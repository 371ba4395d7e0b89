import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/env.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Suites spawn ffmpeg and the CLI; on two cores they run better one file at a time.
    fileParallelism: false,
  },
});
