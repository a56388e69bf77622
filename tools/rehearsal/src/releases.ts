import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, imageAt, REPO_ROOT, type ServiceImage } from '@platform/local-platform';

export interface Release {
  version: string;
  /** The newest commit whose apps/<service>/package.json says this version: the release's code. */
  commit: string;
}

const git = (args: string[], cwd = REPO_ROOT) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/**
 * The service's releases before the version it has now, newest last, from the history of its
 * package.json (where tools/delivery/bump-version.sh writes each version): `count` of them.
 */
export function releasesBefore(service: string, count: number): Release[] {
  const manifest = `apps/${service}/package.json`;
  const versionAt = (commit: string) => (JSON.parse(git(['show', `${commit}:${manifest}`])) as { version: string }).version;
  const current = versionAt('HEAD');
  const found: Release[] = [];
  // Every commit that touched the manifest, newest first; a version's release is the newest commit
  // before the next version's first commit.
  const commits = git(['log', '--format=%H', '--', manifest]).split('\n').filter(Boolean);
  let newer = current;
  for (const commit of commits) {
    const version = versionAt(commit);
    if (version !== newer) break;
    const parent = git(['rev-list', '--max-count=1', `${commit}^`]);
    const before = (() => {
      try {
        return versionAt(parent);
      } catch {
        return undefined; // the manifest did not exist yet
      }
    })();
    if (before === undefined || before === version) continue;
    found.unshift({ version: before, commit: parent });
    newer = before;
    if (found.length === count) break;
  }
  if (found.length < count) throw new Error(`${service} has ${found.length} release(s) before ${current} in this clone's history; ${count} needed (a shallow clone? git fetch --unshallow)`);
  return found;
}

/**
 * A release's build, as the image that release shipped: its commit checked out beside the
 * repository (sharing its node_modules), the service built there, the build kept under .cache by
 * commit so the next rehearsal reuses it.
 */
export function buildRelease(service: string, release: Release, log: (line: string) => void): ServiceImage {
  const dir = join(CACHE_DIR, 'releases', service, `${release.version}-${release.commit.slice(0, 12)}`);
  if (existsSync(join(dir, 'main.js'))) return imageAt(service, dir);
  const tree = join(REPO_ROOT, 'tmp', 'rehearsal', 'trees', release.commit.slice(0, 12));
  log(`building ${service} ${release.version} from ${release.commit.slice(0, 12)}…`);
  rmSync(tree, { recursive: true, force: true });
  git(['worktree', 'prune']);
  git(['worktree', 'add', '--detach', '--force', tree, release.commit]);
  try {
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
    execFileSync(join(tree, 'node_modules', '.bin', 'nx'), ['build', service, '--output-style=static', '--skip-nx-cache'], {
      cwd: tree,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    mkdirSync(dir, { recursive: true });
    cpSync(join(tree, 'dist', 'apps', service), dir, { recursive: true });
  } finally {
    git(['worktree', 'remove', '--force', tree]);
  }
  return imageAt(service, dir);
}
