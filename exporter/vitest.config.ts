import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Hang guards only: tests wait on events (a child's output or exit, a peer's request), and on a
    // busy 2-core machine a child process can take tens of seconds to get there.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/helpers/setup.ts'],
  },
});
