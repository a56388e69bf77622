import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger, PinoLoggerService, REDACTED_PATHS } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'test' } }, stream) };
}

describe('logging', () => {
  it('never writes passwords, tokens or authorization headers', () => {
    const { lines, logger } = capture();
    logger.info({ body: { password: 'hunter22', refreshToken: 'rt_abc' }, req: { headers: { authorization: 'Bearer eyJ' } }, accessToken: 'eyJ' }, 'login');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/hunter22|rt_abc|eyJ/);
    expect(text).toContain('[redacted]');
  });

  it('keeps structured fields when Nest logs through it', () => {
    const { lines, logger } = capture();
    new PinoLoggerService(logger).warn({ eventId: 'e-1' }, 'event dead-lettered', 'KafkaEventServer');
    expect(lines[0]).toEqual(expect.objectContaining({ eventId: 'e-1', msg: 'event dead-lettered', context: 'KafkaEventServer', service: 'test' }));
  });

  it('creates a JSON logger with the service name and level label', () => {
    expect(createLogger({ service: 'svc', level: 'debug', format: 'json' }).level).toBe('debug');
  });
});
