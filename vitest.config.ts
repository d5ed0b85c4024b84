import { defineConfig } from 'vitest/config';

const INTEROP_IN_CHROMIUM = 'test/interop/oidc-client-ts.test.ts';

export default defineConfig({
  test: {
    // Marks the run, and fails it if a process the run started is still alive at its end.
    globalSetup: ['test/support/no-leftover-processes.ts'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/docker/**/*.test.ts'],
          // Every end-to-end file starts its own server on a free port; password hashing is
          // deliberately slow, so give each test room without hiding a hang.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          // Grant Lab driven by client libraries this project did not write, each in its own
          // language (test/interop/). The browser one runs with the browser project below.
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          exclude: [INTEROP_IN_CHROMIUM],
          // A first run compiles the Go programs and their libraries.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // npm run bench, once over quickly: it runs (its figures are for npm run bench itself).
          name: 'bench',
          include: ['test/bench/**/*.test.ts'],
          testTimeout: 180_000,
        },
      },
      {
        test: {
          // Packs the package and installs it elsewhere (from the npm registry): slow, alone.
          name: 'package',
          include: ['test/package/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts', 'test/clients/**/*.test.ts', INTEROP_IN_CHROMIUM],
          // One Chromium at a time: on a two-core machine several browsers plus servers starve
          // each other into timeouts that say nothing about the code.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
