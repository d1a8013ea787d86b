import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: ['src/graph/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/dsl/**', '**/sql/**', '**/runtime/**', '**/state/**', '**/backend/**', '**/serde/**', '**/testing/**', '**/cli/**', '**/util/**'], message: 'src/graph imports nothing of ours but src/errors (a leaf).' }] }],
    },
  },
  {
    files: ['src/dsl/**', 'src/sql/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/runtime/**', '**/backend/**'], message: 'dsl and sql build graphs; they never import the runtime or a backend.' }] }],
    },
  },
);
