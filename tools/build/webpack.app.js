// One webpack setup for every service. Workspace libs are bundled in; npm packages stay external
// (required at run time from node_modules), which keeps OpenTelemetry's require hooks working and
// lets Nx write a pruned package.json per app for its image.
const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
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
        if (rule && typeof rule.loader === 'string' && rule.loader.includes('swc-loader')) rule.options = swcOptions();
      }
    });
  }
}

/**
 * @param {string} appDir the app's folder (pass __dirname)
 * @param {{ entries?: string[] }} options extra entry points in src/ (e.g. migrate, dlq-replay)
 */
function composeAppWebpackConfig(appDir, options = {}) {
  const appRoot = relative(root, appDir);
  return {
    output: { path: join(root, 'dist', appRoot), clean: true },
    devtool: 'source-map',
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
    ],
  };
}

module.exports = { composeAppWebpackConfig };
