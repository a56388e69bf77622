// One webpack setup for every service. Workspace libs are bundled in; npm packages stay external
// (required at run time from node_modules), which keeps OpenTelemetry's require hooks working and
// lets Nx write a pruned package.json per app for its image.
const { readFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');

const root = join(__dirname, '..', '..');

/** The workspace's one SWC configuration (.swcrc), shared with Jest. */
function swcOptions() {
  const { $schema: _schema, ...options } = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
  return { ...options, swcrc: false };
}

/** Makes the swc-loader rule Nx adds use our .swcrc (ES2023 classes, decorator metadata). */
class UseWorkspaceSwcrc {
  apply(compiler) {
    compiler.hooks.afterEnvironment.tap(UseWorkspaceSwcrc.name, () => {
      for (const rule of compiler.options.module.rules) {
        // ES modules for webpack (Jest keeps .swcrc's CommonJS): lets it drop what a service never uses.
        if (rule && typeof rule.loader === 'string' && rule.loader.includes('swc-loader')) rule.options = { ...swcOptions(), module: { type: 'es6' } };
      }
    });
  }
}

/**
 * Bundles @nestjs/swagger's shim (the same decorators, doing nothing) in place of the package. The
 * shared DTOs (@platform/api) carry OpenAPI decorators for the gateway's document; a service that
 * serves no document need not load @nestjs/swagger with lodash and js-yaml (~3 MB of heap, ~30 ms
 * of start-up per process). The NestJS docs' way to share DTOs without the OpenAPI module. The
 * package does not export the shim's path, so it is bundled by file, not required at run time; the
 * path is resolved here, so a release that moves the file fails the build, not a start.
 */
class SwaggerShim {
  static file = join(dirname(require.resolve('@nestjs/swagger/package.json')), 'dist', 'extra', 'swagger-shim.js');

  apply(compiler) {
    compiler.hooks.afterEnvironment.tap(SwaggerShim.name, () => {
      const { options } = compiler;
      // Every npm package is external (required at run time); this one is bundled.
      const externals = [options.externals ?? []].flat();
      options.externals = externals.map((external) => (typeof external === 'function' ? (data, callback) => (data.request === '@nestjs/swagger' ? callback() : external(data, callback)) : external));
      options.resolve.alias = { ...options.resolve.alias, '@nestjs/swagger$': SwaggerShim.file };
    });
  }
}

/**
 * @param {string} appDir the app's folder (pass __dirname)
 * @param {{ entries?: string[], openApi?: boolean }} options extra entry points in src/ (e.g.
 *   migrate, dlq-replay); openApi: the app serves the OpenAPI document and needs the real
 *   @nestjs/swagger (otherwise it gets the shim)
 */
function composeAppWebpackConfig(appDir, options = {}) {
  const appRoot = relative(root, appDir);
  return {
    output: { path: join(root, 'dist', appRoot), clean: true },
    devtool: 'source-map',
    // Workspace libs have no side effects at import time (they export classes and functions), so
    // a service bundles only the parts it uses, and the npm packages behind the rest are never
    // required: the gateway does not load TypeORM or the Postgres driver just because service-kit
    // also exports the database module. Not minified: stack traces stay readable without source maps.
    // Barrels (index.ts) keep theirs: some import 'reflect-metadata' first.
    module: { rules: [{ test: /\.ts$/, include: join(root, 'libs'), exclude: /[\\/]index\.ts$/, sideEffects: false }] },
    optimization: { sideEffects: true, usedExports: true, providedExports: true, innerGraph: true, minimize: false, concatenateModules: false },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'swc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        additionalEntryPoints: (options.entries ?? []).map((name) => ({ entryName: name, entryPath: `${appRoot}/src/${name}.ts` })),
        externalDependencies: 'all',
        generatePackageJson: true,
        optimization: false,
        outputHashing: 'none',
        sourceMap: true,
        skipTypeChecking: true,
      }),
      new UseWorkspaceSwcrc(),
      ...(options.openApi ? [] : [new SwaggerShim()]),
    ],
  };
}

module.exports = { composeAppWebpackConfig };
