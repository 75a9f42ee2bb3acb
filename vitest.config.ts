import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'dsl/test/**/*.test.ts',
      'compiler/test/**/*.test.ts',
      'runtime/test/**/*.test.ts',
      'cli/test/**/*.test.ts',
      'docs/**/*.test.ts',
      'dashboard/test/**/*.test.ts',
    ],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 60_000,
    reporters: ['default'],
  },
});
