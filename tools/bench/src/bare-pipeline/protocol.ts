// How the benchmark talks to the bare pipeline's two processes (Node IPC).
import { eventLoopDelay, wallClock, type TimelineRecorder, type Timelines } from '../timeline.ts';

export interface BareSettings {
  databaseUrl: string;
  brokers: string[];
  topic: string;
  partitions: number;
}

export type Command = { type: 'open-window' } | { type: 'close-window' } | { type: 'write'; rate: number; seconds: number } | { type: 'stop' };

export interface WindowReport {
  cpuMs: number;
  eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  timelines: Timelines;
}

export type Reply = { type: 'ready' } | { type: 'window-opened' } | ({ type: 'window-closed' } & WindowReport) | { type: 'written'; orders: number } | { type: 'stopped' } | { type: 'failed'; error: string };

/** Runs one bare-pipeline process: answers the benchmark's commands; `onCommand` handles the ones particular to it. */
export function serve(handlers: { open(): void; close(): WindowReport; write?(rate: number, seconds: number): Promise<number>; stop(): Promise<void> }): void {
  const reply = (message: Reply) => process.send?.(message);
  process.on('message', (command: Command) => {
    void (async () => {
      try {
        if (command.type === 'open-window') {
          handlers.open();
          reply({ type: 'window-opened' });
        } else if (command.type === 'close-window') {
          reply({ type: 'window-closed', ...handlers.close() });
        } else if (command.type === 'write') {
          reply({ type: 'written', orders: (await handlers.write?.(command.rate, command.seconds)) ?? 0 });
        } else if (command.type === 'stop') {
          await handlers.stop();
          reply({ type: 'stopped' });
          process.disconnect?.();
        }
      } catch (error) {
        reply({ type: 'failed', error: String((error as Error).stack ?? error) });
      }
    })();
  });
}

/** A measured window of this process: opened before a run, closed after it with its CPU, event-loop delay and timelines. */
export function measuredWindows(timeline: TimelineRecorder): { open(): void; close(): WindowReport } {
  const delay = eventLoopDelay();
  let cpuAtOpen = process.cpuUsage();
  let openedAt = 0;
  return {
    open() {
      cpuAtOpen = process.cpuUsage();
      openedAt = wallClock();
      delay.reset();
    },
    close() {
      const cpu = process.cpuUsage(cpuAtOpen);
      return { cpuMs: (cpu.user + cpu.system) / 1000, eventLoopDelay: delay.read(), timelines: timeline.since(openedAt) };
    },
  };
}

export function settingsFromArgs(): BareSettings {
  return JSON.parse(process.argv[2] ?? '{}') as BareSettings;
}
