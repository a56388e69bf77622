// One lint configuration for the whole workspace. The module-boundary rule is the point:
// it makes the architecture in the folder tree a checked fact (see README "Project map").
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const onlyOwnScope = (scope) => ({
  sourceTag: `scope:${scope}`,
  onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'],
});

export default tseslint.config(
  { ignores: ['**/dist', '**/node_modules', '**/.cache', '**/tmp', '**/coverage', 'apps/*/webpack.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: true,
          checkDynamicDependenciesExceptions: [],
          allow: [],
          depConstraints: [
            // Layers: apps sit on top; contracts and util sit at the bottom.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:data-access', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            // Contracts (event catalog, HTTP DTOs) are read by every team: they depend on no runtime code.
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            // Tools run the platform on this machine (local runner, benchmark); tests drive it through them.
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:tool', 'type:contracts', 'type:util'] },
            // The typed API client is for the API's clients (web apps, the e2e suites): it stands on the
            // committed OpenAPI document alone, nothing of the platform's code.
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:client', 'type:tool', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:client', 'type:testing', 'type:tool', 'type:contracts', 'type:util'] },
            // Scopes: a service's code reaches only its own scope and shared libs.
            onlyOwnScope('gateway'),
            onlyOwnScope('user'),
            onlyOwnScope('order'),
            onlyOwnScope('notification'),
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      // Services other than the gateway bundle @nestjs/swagger's shim (tools/build/webpack.app.js),
      // whose mapped types are empty classes: a DTO built with them would lose its validation there.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@nestjs/swagger',
              importNames: ['PartialType', 'PickType', 'OmitType', 'IntersectionType'],
              message: 'Services bundle the swagger shim, where these are empty classes: use @nestjs/mapped-types.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The tools' plain scripts (tools/**/*.js, *.mjs): Node, CommonJS or ES modules by extension.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2024,
      globals: Object.fromEntries(['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'fetch'].map((name) => [name, 'readonly'])),
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }] },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly', __filename: 'readonly' } },
  },
  {
    // The web page of the browser-clients suite runs in Chromium: a browser's globals, an ES module.
    files: ['apps/platform-e2e/src/web-app/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(['window', 'document', 'location', 'URLSearchParams', 'AbortController', 'FormData', 'crypto', 'TextDecoder', 'Headers'].map((name) => [name, 'readonly'])),
    },
  },
  {
    // Tests and their harness read JSON answers whose shape is the thing under test.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**/*.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
