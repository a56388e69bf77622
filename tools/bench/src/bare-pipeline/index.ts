// The bare pipeline, as the benchmark drives it: its schema and topic, its two processes, and one
// measured run at a rate (commit → stored per event, CPU and event-loop delay per process).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@platform/local-platform';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { joinTimelines, type Timelines } from '../timeline.ts';
import type { BareSettings, Command, Reply, WindowReport } from './protocol.ts';
import { createBareSchema } from './schema.ts';

type Process = { child: ChildProcess; ask<T extends Reply['type']>(command: Command, answer: T): Promise<Extract<Reply, { type: T }>> };

function start(file: string, settings: BareSettings): Promise<Process> {
  const child = fork(join(REPO_ROOT, 'tools', 'bench', 'src', 'bare-pipeline', file), [JSON.stringify(settings)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T extends Reply['type']>(answer: T) =>
    new Promise<Extract<Reply, { type: T }>>((resolve, reject) => {
      const done = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (reply: Reply) => {
        if (reply.type === 'failed') reject(new Error(`${file}: ${reply.error}`));
        else if (reply.type === answer) resolve(reply as Extract<Reply, { type: T }>);
        else return;
        done();
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`${file} exited with ${code}`));
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
  const process: Process = {
    child,
    ask: (command, answer) => {
      const reply = next(answer);
      child.send(command);
      return reply;
    },
  };
  return next('ready').then(() => process);
}

export interface BareRun {
  orders: number;
  timelines: Timelines;
  /** CPU milliseconds of each of its processes over the run. */
  cpuMs: { writer: number; consumer: number };
  eventLoopDelay: { writer: WindowReport['eventLoopDelay']; consumer: WindowReport['eventLoopDelay'] };
}

export class BarePipeline {
  private readonly writer: Process;
  private readonly consumer: Process;

  private constructor(writer: Process, consumer: Process) {
    this.writer = writer;
    this.consumer = consumer;
  }

  /** Creates the schema and the topic (as many partitions as the platform's), then starts both processes. */
  static async start(options: { databaseUrl: string; brokers: string[]; partitions: number }): Promise<BarePipeline> {
    const settings: BareSettings = { ...options, topic: 'bench.bare-pipeline' };
    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    try {
      await createBareSchema(client);
    } finally {
      await client.end();
    }
    const admin = new Kafka({ clientId: 'bench-bare-admin', brokers: options.brokers, logLevel: logLevel.ERROR }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: settings.topic, numPartitions: options.partitions, replicationFactor: 1 }] });
    } finally {
      await admin.disconnect();
    }
    const [writer, consumer] = await Promise.all([start('writer.ts', settings), start('consumer.ts', settings)]);
    return new BarePipeline(writer, consumer);
  }

  get pids(): number[] {
    return [this.writer.child.pid ?? 0, this.consumer.child.pid ?? 0];
  }

  /** Orders at `rate` per second for `seconds`, then `settleMs` for the last ones to arrive. */
  async run(rate: number, seconds: number, settleMs: number): Promise<BareRun> {
    await Promise.all([this.writer.ask({ type: 'open-window' }, 'window-opened'), this.consumer.ask({ type: 'open-window' }, 'window-opened')]);
    const { orders } = await this.writer.ask({ type: 'write', rate, seconds }, 'written');
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const [writer, consumer] = await Promise.all([this.writer.ask({ type: 'close-window' }, 'window-closed'), this.consumer.ask({ type: 'close-window' }, 'window-closed')]);
    return {
      orders,
      timelines: joinTimelines(writer.timelines, consumer.timelines),
      cpuMs: { writer: writer.cpuMs, consumer: consumer.cpuMs },
      eventLoopDelay: { writer: writer.eventLoopDelay, consumer: consumer.eventLoopDelay },
    };
  }

  async stop(): Promise<void> {
    await Promise.all([this.writer, this.consumer].map((process) => process.ask({ type: 'stop' }, 'stopped').catch(() => process.child.kill())));
  }
}
