import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

/**
 * What a replica runs: a service's build (main.js, migrate.js, package.json with its version), the
 * local stand-in for a container image. Replicas of one image run the same code however often the
 * working tree is rebuilt meanwhile.
 */
export interface ServiceImage {
  service: string;
  version: string;
  /** Folder with main.js, migrate.js, dlq-replay.js and package.json. */
  dir: string;
}

/** The build in dist/apps/<service>, as it is now. */
export function distImage(service: string): ServiceImage {
  return imageAt(service, join(REPO_ROOT, 'dist', 'apps', service));
}

export function imageAt(service: string, dir: string): ServiceImage {
  const manifest = join(dir, 'package.json');
  const version = existsSync(manifest) ? ((JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? 'dev') : 'dev';
  return { service, version, dir };
}

/**
 * A copy of the service's current build under `root` (its own folder per copy), so that a later
 * build does not change what running replicas are: what `./platform roll` rolls out.
 */
export function snapshotImage(service: string, root: string, label = String(Date.now())): ServiceImage {
  const source = distImage(service);
  if (!existsSync(join(source.dir, 'main.js'))) throw new Error(`no build of ${service} in ${source.dir} (./platform nx build ${service})`);
  const dir = join(root, service, `${source.version}-${label}`);
  mkdirSync(dir, { recursive: true });
  cpSync(source.dir, dir, { recursive: true });
  return imageAt(service, dir);
}
