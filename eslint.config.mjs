// Flat ESLint config shared by every workspace package (`pnpm lint`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', 'runs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use seededRng from @memrec/core.' }],
    },
  },
  {
    files: ['**/*.test.ts', '**/bench/**', 'tooling/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
