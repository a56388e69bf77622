import type { Logger } from 'pino';

/** Warnings we know and have judged harmless; they would only be noise in every service's log. */
const KNOWN_HARMLESS = [
  // kafkajs' request queue computes a negative delay on fast responses; Node clamps it to 1 ms.
  (warning: Error) => warning.name === 'TimeoutNegativeWarning' && /kafkajs/.test(warning.stack ?? ''),
];

/** Node's process warnings go through the logger as JSON lines instead of raw stderr text. */
export function logProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (KNOWN_HARMLESS.some((isKnown) => isKnown(warning))) return;
    logger.warn({ warning: { name: warning.name, message: warning.message } }, 'process warning');
  });
}
