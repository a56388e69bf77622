import 'reflect-metadata';
import { Module, RequestMethod, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { DiscoveryService, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadSettings, type SettingsClass } from '@platform/config';
import { collectProcessMetrics, createLogger, deferredRequestLogger, instrumentHttp, isProbeOrScrape, logProcessWarnings, PinoLoggerService, TelemetryConfig, traceIncomingRequests } from '@platform/observability';
import { shutdownTracing } from '@platform/observability/tracing';
import { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { BaseServiceConfig } from './config/base-service.config';
import type { ServiceIdentity } from './config/service-identity';
import { SettingsModule } from './config/settings.module';
import { HealthModule } from './health/health.module';
import { ShutdownState } from './health/readiness';
import { serveManagementPort } from './http/management-port';
import { MetricsController } from './http/metrics.controller';
import { applyHttpCaching } from './http/http-caching';
import { limitJsonNesting } from './http/json-depth';
import { answerOversizeBodiesReadably } from './http/oversize-bodies';
import { REQUEST_ID_HEADER, requestIdFor } from './http/request-id';
import { ProblemDetailsFilter, sendProblem, toProblem } from './problem/problem-details.filter';
import { createValidationPipe } from './problem/validation';
import { AppTransport, type TransportConnector } from './transport-connector';

export const API_PREFIX = 'api/v1';

/** Routes served outside `/api/v1`: operations endpoints (management port: metrics, health, debug) and the JWKS. */
const UNPREFIXED_ROUTES = [
  { path: 'health', method: RequestMethod.ALL },
  { path: 'health/{*rest}', method: RequestMethod.ALL },
  { path: 'metrics', method: RequestMethod.GET },
  { path: 'debug/{*rest}', method: RequestMethod.GET },
  { path: '.well-known/{*rest}', method: RequestMethod.GET },
  { path: 'docs', method: RequestMethod.ALL },
  { path: 'docs/{*rest}', method: RequestMethod.ALL },
];

/** `/api/v1` in front of every route but the operational ones; the docs read routes the same way. */
export function applyGlobalPrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
}

export interface ServiceDefinition<TConfig extends BaseServiceConfig> {
  service: ServiceIdentity;
  module: Type;
  /** The service's own settings class (it extends BaseServiceConfig). */
  config: SettingsClass<TConfig>;
  /** Every other settings class the service reads (database, messaging, tokens, …). */
  settings?: readonly SettingsClass[];
  /** False leaves request bodies unparsed (the gateway forwards them as bytes). */
  bodyParser?: boolean;
  /** Runs after the app exists and before it listens (the gateway adds its docs here). */
  beforeListen?: (app: NestFastifyApplication, config: TConfig) => Promise<void> | void;
}

@Module({ controllers: [MetricsController] })
class MetricsModule {}

@Module({})
class ServiceRootModule {}

type Parts = Pick<ServiceDefinition<BaseServiceConfig>, 'service' | 'module' | 'config' | 'settings'>;

function settingsClassesOf(definition: Parts): SettingsClass[] {
  return [definition.config, TelemetryConfig, ...(definition.settings ?? [])];
}

/**
 * The app's own module under what every service has: its identity and settings, health, metrics.
 * Without values (a docs or wiring test in preview mode) the settings are provided empty.
 */
export function serviceModule(definition: Parts, values: Map<SettingsClass, object> = new Map()): DynamicModule {
  const settings = new Map(settingsClassesOf(definition).map((settingsClass) => [settingsClass, values.get(settingsClass) ?? new settingsClass()]));
  return { module: ServiceRootModule, imports: [SettingsModule.forValues(definition.service, definition.config, settings), HealthModule, MetricsModule, definition.module] };
}

/** Reads every settings class at once; a bad deployment exits 78 (EX_CONFIG) listing every problem. */
function readSettings(definition: Parts): Map<SettingsClass, object> {
  try {
    return loadSettings(settingsClassesOf(definition));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${definition.service.name}: ${error.message}\n`);
    process.exit(78);
  }
}

function connectorsOf(app: INestApplication): TransportConnector[] {
  return app.get(DiscoveryService).getProviders({ metadataKey: AppTransport.KEY }).map((wrapper) => wrapper.instance as TransportConnector);
}

/**
 * The one way a service starts: validated settings, pino logging, Fastify with request ids,
 * problem+json errors, the shared validation pipe, health and metrics on a management port, the
 * transports its modules bring (a Kafka consumer), and a graceful shutdown.
 */
export async function bootstrapService<TConfig extends BaseServiceConfig>(definition: ServiceDefinition<TConfig>): Promise<NestFastifyApplication> {
  const settings = readSettings(definition);
  const config = settings.get(definition.config) as TConfig;
  const telemetry = settings.get(TelemetryConfig) as TelemetryConfig;
  const name = definition.service.name;

  const logger = createLogger({ service: name, version: telemetry.SERVICE_VERSION, level: telemetry.LOG_LEVEL, format: telemetry.LOG_FORMAT });
  logProcessWarnings(logger);
  collectProcessMetrics({ service: name });

  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request comes from our onResponse hook, not Fastify's two; request.log is made
    // only if something writes through it.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: deferredRequestLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    trustProxy: config.trustProxy,
    // Closing, the server still answers requests that arrive on connections it has open (a
    // balancer's or the gateway's keep-alive connection, in the moment before it sees the
    // connection close) instead of a bare 503: no new connection reaches it by then (its readiness
    // failed and preStop passed), and those requests are in flight as much as any other.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Router-level rejections (malformed URL, over-long path parameter) are problems too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { problem } = toProblem(error, request.url.split('?')[0]);
      problem.requestId = String(request.id);
      void reply.header(REQUEST_ID_HEADER, request.id);
      sendProblem(reply, problem);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(serviceModule(definition, settings), adapter, {
    logger: new PinoLoggerService(logger),
    abortOnError: false,
    bodyParser: definition.bodyParser ?? true,
  });
  traceIncomingRequests(app.getHttpServer());
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = reply.statusCode >= 500 ? 'error' : isProbeOrScrape(request.url) ? 'debug' : 'info';
    // Through the service's logger with the request id as a field: the same line as request.log
    // would write, without making a child logger for every request.
    logger[level](
      { reqId: request.id, method: request.method, route: request.routeOptions?.url, url: request.url.split('?')[0], status: reply.statusCode, durationMs: Math.round(reply.elapsedTime) },
      'request completed',
    );
    done();
  });
  const management = serveManagementPort(fastify, config.MANAGEMENT_PORT, config.HOST);
  fastify.addHook('onClose', async () => management.close());
  instrumentHttp(fastify);
  answerOversizeBodiesReadably(fastify, config.BODY_LIMIT_BYTES);
  limitJsonNesting(fastify, config.JSON_MAX_DEPTH);
  applyHttpCaching(fastify);

  applyGlobalPrefix(app);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());

  await definition.beforeListen?.(app, config);
  for (const connector of connectorsOf(app)) await connector.connect(app);
  await app.startAllMicroservices();
  await app.listen({ port: config.PORT, host: config.HOST });
  const managementPort = await management.listen();
  logger.info({ port: config.PORT, managementPort }, `${name} is listening`);

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
