import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';
import pino, { type Bindings, type ChildLoggerOptions, type Logger } from 'pino';
import { tracingMode } from '../tracing/trace-ids';
import { traceLogFields } from './trace-context';

/** Paths never written to logs, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'DATABASE_URL',
  'JWT_PRIVATE_JWKS',
];

export interface LoggerOptions {
  service: string;
  version?: string;
  level: string;
  format: 'json' | 'pretty';
}

/**
 * The platform's one logger: one JSON object per line, redacted, with the service name on every line.
 * JSON lines go to stdout asynchronously: under load, lines written while the previous write is in
 * flight leave in one system call instead of one each (a request log line per request was the
 * gateway's biggest single cost in `BENCH_PROFILE=1` runs). pino flushes what is pending when the
 * process exits.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { service: options.service, version: options.version },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The trace of the request or event a line belongs to (the SDK's pino instrumentation adds it
    // when the SDK runs).
    ...(tracingMode() === 'ids' ? { mixin: traceLogFields } : {}),
    ...(options.format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,version' } } }
      : {}),
  };
  return options.format === 'pretty' ? pino(settings) : pino(settings, pino.destination({ dest: 1, sync: false }));
}

type LogMethod = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';

/**
 * Fastify's `childLoggerFactory`: a request's logger (`request.log`) becomes a pino child only when
 * something writes through it. Making a child redacts its bindings (the request id) against every
 * wildcard path, a few µs per request on the gateway's CPU profile, while a request usually writes
 * nothing through it: its one line is written with the request id as a field (bootstrapService).
 * Fastify's own lines about a request (a client error, a reply sent twice) still carry the id.
 */
export function deferredRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new DeferredChildLogger(logger, bindings, options);
}

class DeferredChildLogger implements FastifyBaseLogger {
  private made?: FastifyBaseLogger;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.made?.level ?? (this.options.level || this.parent.level);
  }

  set level(level: string) {
    this.logger.level = level;
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }

  private get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  private write(method: LogMethod, args: unknown[]): void {
    (this.logger[method] as (...args: unknown[]) => void).apply(this.logger, args);
  }
}

/** Lets Nest's own `Logger` write through pino, keeping objects as structured fields. */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }

  private write(level: LogMethod, message: unknown, params: unknown[]) {
    // Nest appends the context (the logger's name) as the last parameter.
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      const text = typeof params[0] === 'string' ? (params.shift() as string) : undefined;
      this.logger[level]({ ...fields, ...(message as object) }, text);
      return;
    }
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
      return;
    }
    // Nest passes a stack trace as the second argument of error().
    if (level === 'error' && typeof params[0] === 'string' && params[0].includes('\n')) fields.stack = params.shift();
    this.logger[level](fields, String(message));
  }
}
