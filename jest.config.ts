import type { Config } from 'jest';

// Server code is ESM TypeScript that Node 24 runs directly (type stripping). Jest loads it through
// @swc/jest as CommonJS; ESM-only dependencies (nock 15, pg-boss 12) are loaded with require(esm),
// which jest only enables under NODE_OPTIONS=--experimental-vm-modules (set by the npm scripts).
const transform: Config['transform'] = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2023' },
      module: { type: 'commonjs' },
    },
  ],
};

/** Panels are Preact: JSX compiles to preact's automatic runtime, as Vite builds them. */
const panelTransform: Config['transform'] = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', tsx: true },
        target: 'es2023',
        transform: { react: { runtime: 'automatic', importSource: 'preact' } },
      },
      module: { type: 'commonjs' },
    },
  ],
};

const shared = {
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/setup-each-file.ts'],
} satisfies Partial<Config>;

const config: Config = {
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  // Two cores: two workers keep the machine responsive and the database busy without thrashing.
  maxWorkers: 2,
  // A worker that keeps test files' leftovers (sandboxes, pools, nock's patched sockets) grows across
  // files until V8 runs out of heap; recycle any worker past this size between files.
  workerIdleMemoryLimit: '1500MB',
  testTimeout: 30_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
    },
    {
      // Panel components in a DOM (jsdom), with the Pipedrive SDK and fetch mocked at the boundary.
      displayName: 'components',
      transform: panelTransform,
      testEnvironment: 'jsdom',
      // jsdom resolves packages' "browser" (ESM) builds by default; jest runs CommonJS here, and
      // preact must load once (one copy of its hooks state) for components and testing library alike.
      testEnvironmentOptions: { customExportConditions: ['require', 'default'] },
      moduleFileExtensions: shared.moduleFileExtensions,
      testMatch: ['<rootDir>/tests/components/**/*.test.tsx'],
      moduleNameMapper: { '\\.css$': '<rootDir>/tests/components/helpers/css-module.ts' },
      setupFilesAfterEnv: ['<rootDir>/tests/components/helpers/setup.ts'],
    },
    {
      ...shared,
      displayName: 'browser',
      testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
      // Chromium start-up and real page loads need longer than the suite's 30 s (jest reads
      // testTimeout from the global config only, so the browser project sets its own in a setup file).
      setupFilesAfterEnv: [...shared.setupFilesAfterEnv, '<rootDir>/tests/browser/helpers/browser-timeout.ts'],
    },
  ],
};

export default config;
