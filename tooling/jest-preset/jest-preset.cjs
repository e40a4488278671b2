/**
 * Shared jest preset for memrec packages.
 *
 * - TypeScript is compiled by @swc/jest (fast, no type-check; `pnpm type-check` does that).
 * - Sibling packages are read from source (`@memrec/x` -> `packages/x/src/index.ts`, and core's
 *   subpaths `@memrec/core/internal` and `@memrec/core/node`).
 * - tfjs-core's ESM gradient files (register_all_gradients) are transformed so that the
 *   gradient registration in @memrec/core works under jest exactly as in the built bundle.
 */
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      require.resolve('@swc/jest'),
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/@tensorflow\\+tfjs-core@[^/]+/node_modules/)?@tensorflow/tfjs-core/dist/(?!tf-core))'],
  moduleNameMapper: {
    '^@memrec/test-helpers$': path.join(root, 'tooling/test-helpers/src/index.ts'),
    '^@memrec/core/internal$': path.join(root, 'packages/core/src/internal.ts'),
    '^@memrec/core/node$': path.join(root, 'packages/core/src/node/index.ts'),
    '^@memrec/models/node$': path.join(root, 'packages/models/src/node.ts'),
    '^@memrec/(core|data|samplers|losses|memory|eval|models)$': path.join(root, 'packages/$1/src/index.ts'),
  },
  testTimeout: 120000,
};
