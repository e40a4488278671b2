/**
 * Shared jest preset for memrec packages.
 *
 * - TypeScript is compiled by @swc/jest (fast, no type-check; `pnpm type-check` does that).
 * - Sibling packages are read from source (`@memrec/x` -> `packages/x/src/index.ts`, and the
 *   subpaths `@memrec/core/internal`, `@memrec/core/node`, `@memrec/models/node`, `@memrec/data/node`).
 * - tfjs-core's ESM gradient files (register_all_gradients) are transformed so that the
 *   gradient registration in @memrec/core works under jest exactly as in the built bundle.
 * - ESM-only packages are transformed to CommonJS too: the bench report's charts
 *   (Observable Plot; linkedom's parser and selector packages); `d3` maps to its UMD bundle.
 */
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

// Package names (regular expressions) published as ES modules only.
const esmOnly = [
  '@observablehq/plot', 'isoformat',
  'css-select', 'css-what', 'nth-check', 'boolbase', 'domhandler', 'domutils', 'dom-serializer', 'domelementtype', 'entities', 'cssomnom',
];
const transformed = `@tensorflow/tfjs-core/dist/(?!tf-core)|(${esmOnly.join('|')})/`;

// d3's default entry is an .mjs bundle, which jest always loads as ESM: map `d3` to the UMD
// bundle of the same build (dist/d3.js), the one copy of d3 that Plot imports.
// (Neither package exports its package.json: resolve their entries, whose folders are known.)
function d3Umd() {
  try {
    const plot = require.resolve('@observablehq/plot', { paths: [path.join(root, 'apps/bench')] });
    return { '^d3$': path.join(path.dirname(require.resolve('d3', { paths: [plot] })), 'd3.js') };
  } catch {
    return {};
  }
}

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
  // a path is left as is unless, after a node_modules/ (and pnpm's .pnpm/NAME@VERSION/node_modules/), it is one of those
  transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(${transformed}))`],
  moduleNameMapper: {
    '^@memrec/test-helpers$': path.join(root, 'tooling/test-helpers/src/index.ts'),
    '^@memrec/core/internal$': path.join(root, 'packages/core/src/internal.ts'),
    '^@memrec/core/node$': path.join(root, 'packages/core/src/node/index.ts'),
    '^@memrec/models/node$': path.join(root, 'packages/models/src/node.ts'),
    '^@memrec/data/node$': path.join(root, 'packages/data/src/node.ts'),
    '^@memrec/(core|data|samplers|losses|memory|eval|models)$': path.join(root, 'packages/$1/src/index.ts'),
    ...d3Umd(),
  },
  testTimeout: 120000,
};
