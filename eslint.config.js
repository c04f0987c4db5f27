import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'bench/results/', 'runs/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/App.tsx', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The page never touches tensors: tfjs lives in the worker and in core.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*'], message: 'The UI never touches tensors: go through the worker.' },
            {
              // core/train/steps and time-estimate are the step count and estimated time without tfjs (the Train
              // step shows them before Start).
              group: [
                '**/core/backend',
                '**/core/models/**',
                '**/core/train/**',
                '!**/core/train/steps',
                '!**/core/train/time-estimate',
              ],
              allowTypeImports: true,
              message: 'These modules load tfjs; the UI talks to them through the worker.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      // core is framework-free: it runs in the browser, in the worker and in Node.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['react', 'react-dom', 'react/*'], message: 'core/ never imports React.' },
            {
              group: ['**/ui/**', '**/worker/**', '**/cli/**'],
              message: 'core/ imports none of its callers.',
            },
            { regex: '^node:', message: 'core/ also runs in the browser: Node-only code lives in src/cli/.' },
          ],
        },
      ],
    },
  },
);
