import type { Logger } from 'pino';

/** Node's process warnings go through the logger as JSON lines instead of raw stderr text. */
export function logProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    logger.warn({ warning: { name: warning.name, message: warning.message } }, 'process warning');
  });
}
