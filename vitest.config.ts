import { defineConfig } from 'vitest/config';

// Two projects: unit tests are pure and fast; integration tests share one test bed
// (fixture images pushed to real registry servers on 127.0.0.1) started by globalSetup.
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'] },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/testbed/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Integration tests mutate the machine (mounts, processes): one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
