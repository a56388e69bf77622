// Lets the tools Node runs directly (`node --import ./tools/node/workspace-imports.mjs <tool>.ts`)
// import workspace projects by their alias (`@platform/local-platform`), the way apps, libs and
// tests do through tsconfig paths. The aliases come from tsconfig.base.json, the one list of them.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const aliases = new Map(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, pathToFileURL(join(root, target)).href]));

registerHooks({
  resolve(specifier, context, nextResolve) {
    return nextResolve(aliases.get(specifier) ?? specifier, context);
  },
});
