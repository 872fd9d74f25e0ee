import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const sandboxImports = { group: ['**/sandbox/**'], message: 'production code must not import the sandbox' };
const httpImports = {
  group: ['**/routes/**', '**/plugins/**', 'fastify'],
  message: 'services, db and jobs must not depend on HTTP',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'extensions/dist/', 'migrations/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify plugins and handlers are async by contract, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      'max-lines': ['warn', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Production code never imports the sandbox; it reaches it only over HTTP through configured URLs.
    files: ['server/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [sandboxImports] }],
    },
  },
  {
    // Layer direction: services, the database layer and jobs never reach up into HTTP.
    files: ['server/services/**', 'server/db/**', 'server/jobs/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [sandboxImports, httpImports] }],
    },
  },
  {
    // Routes and HTTP plugins only translate HTTP to service calls: the database is reached through
    // services and repositories (docs/ARCHITECTURE.md, "HTTP"). Row types may be named.
    files: ['server/routes/**', 'server/plugins/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            sandboxImports,
            {
              group: ['drizzle-orm', 'drizzle-orm/*', 'pg', '**/db/**'],
              allowTypeImports: true,
              message: 'routes reach the database only through services (docs/ARCHITECTURE.md)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['extensions/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/server/**'], message: 'extensions must not import server code' }] },
      ],
    },
  },
  {
    files: ['tests/**'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      // jest's asymmetric matchers (expect.any, expect.stringContaining) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip)$/]',
          message: 'no focused or skipped tests',
        },
      ],
    },
  },
);
