import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
// vitest loads the default export of its config file; this is the one default export in the project.
// eslint-disable-next-line no-restricted-syntax
export default config;
