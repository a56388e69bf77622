import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { REPO_ROOT } from '@platform/local-platform';
import { chromium, type Browser } from 'playwright-core';
import ts from 'typescript';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, installed on first use by tools/system/ensure-packages.sh (apt-get, as root;
 * CI runs as root), driven by playwright-core: no browser download. A fresh profile per launch.
 */
export async function launchChromium(): Promise<Browser> {
  execFileSync(join(REPO_ROOT, 'tools', 'system', 'ensure-packages.sh'), ['chromium=chromium'], { stdio: ['ignore', 'inherit', 'inherit'] });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const MEDIA_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.ts': 'text/javascript; charset=utf-8' };

/** TypeScript with erasable types only, as a browser module: the types go, nothing else changes. */
function browserModule(file: string): string {
  return ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: file }).outputText;
}

/**
 * A web app on an origin of its own (`http://127.0.0.1:<port>`), as a browser client of the API
 * would be: its files from `root`, and `mounts` (URL prefix → folder) whose TypeScript modules are
 * served as JavaScript (a library's source runs as it is, only its types removed).
 */
export class WebAppServer {
  private readonly server: Server;
  origin = '';

  constructor(root: string, mounts: Record<string, string> = {}) {
    const folders = [...Object.entries(mounts), ['/', root] as const];
    this.server = createServer((request, response) => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      const [prefix, folder] = folders.find(([mount]) => path.startsWith(mount))!;
      const relative = normalize(`/${path.slice(prefix.length)}`);
      const file = join(folder, relative.endsWith('/') ? `${relative}index.html` : relative);
      try {
        const body = extname(file) === '.ts' ? browserModule(file) : readFileSync(file);
        response.writeHead(200, { 'content-type': MEDIA_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
