import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@platform/local-platform';

/** The directory with Debian's `prometheus` and `promtool`, fetched into .cache on first use. */
export function prometheusBin(): string {
  return execFileSync(join(REPO_ROOT, 'tools', 'prometheus', 'ensure-prometheus.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}
