// Reports what a client built on the last release would find broken in the current contract
// (docs/openapi.json), and fails when it finds anything. Run by tools/checks/openapi.sh.
//
// "The last release" is what production runs: the version in k8s/apps/gateway/release.yaml, set by
// the delivery workflow's release pull request (merging it is the release, docs/deploy.md). Its
// document is docs/openapi.json at the commit that last changed that version. A release older than
// the committed contract has none: the first committed docs/openapi.json stands in for it.
//
// Two tools judge, each where it is strong, and either one's "breaking" fails the check:
// openapi-diff compares bodies as the sets of values their schemas accept (a new required request
// field, a response field no longer required, a type changed, a path or status removed) but skips
// parameters and enums; api-smart-diff classifies parameters (a new required query or header
// parameter), enum values, status codes and operations rule by rule.
// Breaking /api/v1 is not how the API changes (docs/api-lifecycle.md): a breaking change is a new
// version beside the old one. Only a major version of the gateway (apps/gateway/package.json ahead
// of the release by a major) may remove what its deprecation announced; then this only reports.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@platform/local-platform';
import { apiCompare } from 'api-smart-diff';
import openapiDiff from 'openapi-diff';

const CONTRACT = 'docs/openapi.json';
const RELEASE = 'k8s/apps/gateway/release.yaml';

interface Finding {
  tool: 'openapi-diff' | 'api-smart-diff';
  change: string;
  where: string;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const major = (version: string) => Number(version.split('.')[0]);

function ensureHistory(): void {
  // CI checkouts are often shallow; the release commit may be further back.
  if (git('rev-parse', '--is-shallow-repository') === 'true') git('fetch', '--quiet', '--unshallow');
}

/** The released version and the commit that released it (the last change of release.yaml's version). */
function lastRelease(): { version: string; commit: string } {
  const commit = git('log', '-1', '--format=%H', '-G', '^\\s*version:', '--', RELEASE);
  if (!commit) throw new Error(`no commit sets the version in ${RELEASE}`);
  const version = /^\s*version:\s*(\S+)/m.exec(git('show', `${commit}:${RELEASE}`))?.[1];
  if (!version) throw new Error(`${RELEASE} at ${commit.slice(0, 7)} names no version`);
  return { version, commit };
}

/** The contract clients of that release were given, and where it comes from. */
function releasedContract(release: { version: string; commit: string }): { text: string; source: string } | undefined {
  try {
    return { text: git('show', `${release.commit}:${CONTRACT}`), source: `${CONTRACT} at ${release.commit.slice(0, 7)}, release ${release.version}` };
  } catch {
    const first = git('log', '--diff-filter=A', '--reverse', '--format=%H', '--', CONTRACT).split('\n')[0];
    if (!first) return undefined;
    return { text: git('show', `${first}:${CONTRACT}`), source: `${CONTRACT} as first committed (${first.slice(0, 7)}), standing in for release ${release.version}, which predates it` };
  }
}

async function openapiDiffFindings(before: string, after: string): Promise<Finding[]> {
  const outcome = await openapiDiff.diffSpecs({
    sourceSpec: { content: before, location: 'release', format: 'openapi3' },
    destinationSpec: { content: after, location: CONTRACT, format: 'openapi3' },
  });
  if (!outcome.breakingDifferencesFound) return [];
  return outcome.breakingDifferences.map((difference) => ({
    tool: 'openapi-diff',
    change: difference.code,
    where: (difference.destinationSpecEntityDetails[0] ?? difference.sourceSpecEntityDetails[0])?.location ?? '?',
  }));
}

function apiSmartDiffFindings(before: unknown, after: unknown): Finding[] {
  // Changes under components/ show again, resolved, under each operation that uses them.
  return apiCompare(before, after)
    .diffs.filter((diff) => diff.type === 'breaking' && diff.path[0] === 'paths')
    .map((diff) => ({ tool: 'api-smart-diff', change: diff.description ?? diff.action, where: diff.path.join('.') }));
}

async function main(): Promise<number> {
  ensureHistory();
  const release = lastRelease();
  const released = releasedContract(release);
  if (!released) {
    console.log(`no contract was released yet (${CONTRACT} is in no commit): nothing to compare with`);
    return 0;
  }
  const current = readFileSync(join(REPO_ROOT, CONTRACT), 'utf8');
  const findings = [...(await openapiDiffFindings(released.text, current)), ...apiSmartDiffFindings(JSON.parse(released.text), JSON.parse(current))];
  if (findings.length === 0) {
    console.log(`no breaking change against ${released.source}`);
    return 0;
  }
  console.log(`${findings.length} breaking change(s) against ${released.source}:`);
  for (const finding of findings) console.log(`  ${finding.tool}: ${finding.change} at ${finding.where}`);
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'apps', 'gateway', 'package.json'), 'utf8')) as { version: string }).version;
  if (major(version) > major(release.version)) {
    console.log(`gateway ${version} is a new major version after ${release.version}: allowed (announce it as docs/api-lifecycle.md says)`);
    return 0;
  }
  console.log('a change that breaks clients goes into a new API version beside the old one (docs/api-lifecycle.md)');
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
