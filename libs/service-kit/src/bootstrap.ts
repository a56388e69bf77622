import 'reflect-metadata';
import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { collectProcessMetrics, createLogger, instrumentHttp, logProcessWarnings, PinoLoggerService } from '@platform/observability';
import { shutdownTracing } from '@platform/observability/tracing';
import type { ClassConstructor } from 'class-transformer';
import type { Logger } from 'pino';
import type { BaseServiceConfig } from './config/base-service.config';
import { ConfigError, loadConfig } from './config/load-config';
import { ShutdownState } from './health/readiness';
import { answerOversizeBodiesReadably } from './http/oversize-bodies';
import { REQUEST_ID_HEADER, requestIdFor } from './http/request-id';
import { ProblemDetailsFilter, sendProblem, toProblem } from './problem/problem-details.filter';
import { createValidationPipe } from './problem/validation';

export const API_PREFIX = 'api/v1';

/** Routes served outside `/api/v1`: operations endpoints and the JWKS. */
const UNPREFIXED_ROUTES = [
  { path: 'health', method: RequestMethod.ALL },
  { path: 'health/{*rest}', method: RequestMethod.ALL },
  { path: 'metrics', method: RequestMethod.GET },
  { path: '.well-known/{*rest}', method: RequestMethod.GET },
  { path: 'docs', method: RequestMethod.ALL },
  { path: 'docs/{*rest}', method: RequestMethod.ALL },
];

/** `/api/v1` in front of every route but the operational ones; the docs read routes the same way. */
export function applyGlobalPrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
}

export interface ServiceDefinition<TConfig extends BaseServiceConfig> {
  name: string;
  module: Type;
  config: ClassConstructor<TConfig>;
  /** False leaves request bodies unparsed (the gateway forwards them as bytes). */
  bodyParser?: boolean;
  /** Runs after the app exists and before it listens: connect a Kafka consumer, add Swagger, … */
  beforeListen?: (app: NestFastifyApplication, config: TConfig) => Promise<void> | void;
}

/**
 * The one way a service starts: validated config, pino logging, Fastify with request ids,
 * problem+json errors, the shared validation pipe, metrics, and a graceful shutdown.
 */
export async function bootstrapService<TConfig extends BaseServiceConfig>(definition: ServiceDefinition<TConfig>): Promise<NestFastifyApplication> {
  let config: TConfig;
  try {
    config = loadConfig(definition.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const logger = createLogger({ service: definition.name, version: config.SERVICE_VERSION, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  logProcessWarnings(logger);
  collectProcessMetrics({ service: definition.name });

  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request comes from our onResponse hook, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Router-level rejections (malformed URL, over-long path parameter) are problems too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { problem } = toProblem(error, request.url.split('?')[0]);
      problem.requestId = String(request.id);
      void reply.header(REQUEST_ID_HEADER, request.id);
      sendProblem(reply, problem);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(definition.module, adapter, {
    logger: new PinoLoggerService(logger),
    abortOnError: false,
    bodyParser: definition.bodyParser ?? true,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // Probes and scrapes come every few seconds; they are logged only at debug level.
    const level = reply.statusCode >= 500 ? 'error' : /^\/(health|metrics)/.test(request.url) ? 'debug' : 'info';
    request.log[level](
      { method: request.method, route: request.routeOptions?.url, url: request.url.split('?')[0], status: reply.statusCode, durationMs: Math.round(reply.elapsedTime) },
      'request completed',
    );
    done();
  });
  instrumentHttp(fastify);
  answerOversizeBodiesReadably(fastify, config.BODY_LIMIT_BYTES);

  applyGlobalPrefix(app);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());

  await definition.beforeListen?.(app, config);
  await app.startAllMicroservices();
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ port: config.PORT }, `${definition.name} is listening`);

  handleShutdownSignals(app, config, logger);
  return app;
}

function handleShutdownSignals(app: NestFastifyApplication, config: BaseServiceConfig, logger: Logger): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: readiness now fails');
    app.get(ShutdownState).markShuttingDown();
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'graceful shutdown took too long, exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    try {
      await new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DELAY_MS));
      // Stops consumers (they commit and leave their group), then the HTTP server (in-flight
      // requests finish), then pools and connections.
      await app.close();
      await shutdownTracing();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}
