import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder above the working directory that holds nx.json. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json above ${start}: run from inside the repository`);
  }
}

export const REPO_ROOT = findRepoRoot(process.cwd());

/** Ignored working area: Kafka jars and data, generated secrets, logs. */
export const CACHE_DIR = join(REPO_ROOT, '.cache');

export const distEntry = (service: string, entry = 'main') => join(REPO_ROOT, 'dist', 'apps', service, `${entry}.js`);
