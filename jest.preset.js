// Shared Jest settings: SWC for speed (decorator metadata on, as Nest needs), Node environment,
// and Nx's resolver so `@platform/*` imports resolve through tsconfig paths like in the apps.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const swcrc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

module.exports = {
  testEnvironment: 'node',
  resolver: '@nx/jest/plugins/resolver',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  testMatch: ['**/?(*.)+(spec).ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  clearMocks: true,
  // Decorator metadata (Nest, class-transformer) needs the Reflect polyfill, as in every main.ts.
  setupFiles: ['reflect-metadata'],
};
