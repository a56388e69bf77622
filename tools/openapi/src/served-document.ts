// Writes the OpenAPI document the built gateway serves (GET /docs/openapi.json) to a file, formatted
// the way docs/openapi.json is committed. The gateway runs alone on free ports: the document needs
// no upstream, so the upstream URLs point nowhere. Run by tools/openapi/generate.sh.
//   node --import ./tools/node/workspace-imports.mjs tools/openapi/src/served-document.ts <file>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { distEntry, freePort, GiveUp, ManagedProcess, REPO_ROOT, waitFor } from '@platform/local-platform';

const target = process.argv[2];
if (!target) {
  console.error('usage: served-document.ts <file>');
  process.exit(2);
}

async function main(target: string): Promise<void> {
  /** The version the gateway's image serves: its package.json, as the delivery workflow builds it. */
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'apps', 'gateway', 'package.json'), 'utf8')) as { version: string }).version;
  const [port, managementPort] = [await freePort(), await freePort()];
  const nowhere = 'http://127.0.0.1:9';
  const gateway = new ManagedProcess({
    name: 'gateway',
    command: process.execPath,
    args: [distEntry('gateway')],
    env: {
      PATH: process.env['PATH'],
      HOST: '127.0.0.1',
      PORT: String(port),
      MANAGEMENT_PORT: String(managementPort),
      SERVICE_VERSION: version,
      USER_SERVICE_URL: nowhere,
      ORDER_SERVICE_URL: nowhere,
      NOTIFICATION_SERVICE_URL: nowhere,
      JWKS_URL: `${nowhere}/.well-known/jwks.json`,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
    output: join(REPO_ROOT, 'tmp', 'openapi', 'gateway.log'),
  });
  try {
    const document = await waitFor(
      'the gateway to serve /docs/openapi.json',
      async () => {
        if (!gateway.isRunning) throw new GiveUp(`the gateway exited with code ${await gateway.exited} (see tmp/openapi/gateway.log)`);
        const response = await fetch(`http://127.0.0.1:${port}/docs/openapi.json`).catch(() => undefined);
        return response?.status === 200 ? ((await response.json()) as object) : undefined;
      },
      60_000,
      200,
    );
    writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  } finally {
    await gateway.stop(10_000);
  }
}

main(target).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
