import { defineConfig } from 'vitest/config';

// Tests import libs from their TypeScript sources (the "@nats-ts/source" export condition);
// end-to-end tests start the built server (bin/nats-ts-server), so `npm test` builds first.
export default defineConfig({
  resolve: { conditions: ['@nats-ts/source', 'import', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@nats-ts/source', 'import', 'node', 'default'], externalConditions: ['@nats-ts/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['libs/**/src/**/*.spec.ts', 'apps/**/src/**/*.spec.ts', 'tools/**/src/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/**/*.spec.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
