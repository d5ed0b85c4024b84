import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every end-to-end file starts its own server on a free port; password hashing is
    // deliberately slow, so give each test room without hiding a hang.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
