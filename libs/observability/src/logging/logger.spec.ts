import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger, deferredRequestLogger, PinoLoggerService, REDACTED_PATHS } from './logger';

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

  describe('a request\'s logger (Fastify childLoggerFactory)', () => {
    const requestLogger = (logger: pino.Logger, options: pino.ChildLoggerOptions = {}) => deferredRequestLogger(logger, { reqId: 'req-1' }, options);

    it('makes no pino child until a line is written through it', () => {
      const { lines, logger } = capture();
      const child = jest.spyOn(logger, 'child');
      const log = requestLogger(logger);
      expect(log.level).toBe('info');
      expect(child).not.toHaveBeenCalled();

      log.warn({ route: '/orders' }, 'reply already sent');
      log.info('second line');
      expect(child).toHaveBeenCalledTimes(1);
      expect(lines).toEqual([
        expect.objectContaining({ reqId: 'req-1', route: '/orders', msg: 'reply already sent', service: 'test' }),
        expect.objectContaining({ reqId: 'req-1', msg: 'second line' }),
      ]);
    });

    it('keeps the route\'s level and redaction, and makes children of its own', () => {
      const { lines, logger } = capture();
      const log = requestLogger(logger, { level: 'warn' });
      expect(log.level).toBe('warn');
      log.info('dropped: below the route\'s level');
      log.child({ step: 'auth' }).error({ authorization: 'Bearer eyJ' }, 'refused');
      expect(lines).toEqual([expect.objectContaining({ reqId: 'req-1', step: 'auth', authorization: '[redacted]', msg: 'refused' })]);
    });
  });
});

