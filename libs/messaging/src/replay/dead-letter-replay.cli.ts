import { parseArgs } from 'node:util';
import { loadConfig } from '@platform/config';
import type { ServiceIdentity } from '@platform/service-kit';
import { MessagingConfig } from '../config/messaging.config';
import { createKafka } from '../kafka/kafka-client';
import { replayDeadLetters } from './dead-letter-replay';

const USAGE = `usage: dlq-replay (--all | --event-id <ce_id> | --reason <reason>) [--dry-run]
Sends the consumer's dead letters back to their original topics. Fix the cause first.`;

/** The `dlq-replay` entry point of a consuming service: `node dlq-replay.js --event-id …`. */
export function runDeadLetterReplayCli(service: ServiceIdentity, argv: string[] = process.argv.slice(2)): void {
  const consumerGroup = service.name;
  const run = async () => {
    const { values } = parseArgs({
      args: argv,
      options: { all: { type: 'boolean' }, 'event-id': { type: 'string' }, reason: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean' } },
    });
    if (values.help || !(values.all || values['event-id'] || values.reason)) {
      console.log(USAGE);
      process.exitCode = values.help ? 0 : 2;
      return;
    }
    const kafka = createKafka({ brokers: loadConfig(MessagingConfig).KAFKA_BROKERS, clientId: `${consumerGroup}-dlq-replay` });
    const replayed = await replayDeadLetters(kafka, consumerGroup, { all: values.all, eventId: values['event-id'], reason: values.reason }, { dryRun: values['dry-run'] });
    for (const letter of replayed) console.log(JSON.stringify(letter));
    console.log(`${values['dry-run'] ? 'would replay' : 'replayed'} ${replayed.length} dead letter(s) of ${consumerGroup}`);
  };
  run().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
