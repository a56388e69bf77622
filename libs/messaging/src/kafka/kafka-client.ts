import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type RetryOptions } from 'kafkajs';
import { Logger } from '@nestjs/common';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
}

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'log',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** Injection token of the service's kafkajs client. */
export const KAFKA = Symbol('KAFKA');

/** Short, bounded retries: our own loops (relay, consumer) decide how long to keep trying. */
export const KAFKA_RETRY: RetryOptions = { initialRetryTime: 200, maxRetryTime: 3_000, retries: 5 };

/** One kafkajs client per process, logging through the service's logger. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const kafkaLogger = new Logger('kafkajs');
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: KAFKA_RETRY,
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
        // kafkajs logs broker error responses (coordinator loading, leader moved, …) as errors and
        // then retries them; they are warnings unless our own code gives up.
        const mapped = level === KafkaLogLevel.ERROR && /^Response /.test(message) ? 'warn' : (LEVELS[level] ?? 'log');
        kafkaLogger[mapped](fields, message);
      },
  });
}
