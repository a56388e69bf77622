import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where stdout and stderr go: a file path, or 'inherit' to print with a name prefix. */
  output: string | 'inherit';
}

const running = new Set<ManagedProcess>();
let exitHookInstalled = false;

/** Whatever happens to the parent (a failed test, Ctrl-C), no child outlives it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.killNow();
  });
}

/** A child process the platform started and must stop: a service, the Kafka broker. */
export class ManagedProcess {
  readonly name: string;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(options: ProcessOptions) {
    installExitHook();
    this.name = options.name;
    const toFile = options.output !== 'inherit';
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (toFile) {
      mkdirSync(dirname(options.output), { recursive: true });
      const log = createWriteStream(options.output, { flags: 'a' });
      this.child.stdout?.pipe(log);
      this.child.stderr?.pipe(log);
    } else {
      const prefix = `${options.name.padEnd(20)} | `;
      for (const stream of [this.child.stdout, this.child.stderr]) {
        let partial = '';
        stream?.on('data', (chunk: Buffer) => {
          const lines = (partial + chunk.toString()).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
        });
      }
    }
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        running.delete(this);
        resolve(code ?? (signal ? null : 0));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (or `signal`), then SIGKILL if it has not exited within the grace period. Resolves with the exit code. */
  async stop(graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.isRunning) return this.exited;
    this.child.kill('SIGCONT'); // a paused process cannot handle SIGTERM
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: a crash, as far as the process can tell. */
  async kill(): Promise<void> {
    this.killNow();
    await this.exited;
  }

  /** SIGSTOP / SIGCONT: the process stays alive but stops answering. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  killNow(): void {
    if (this.isRunning) this.child.kill('SIGKILL');
  }
}
