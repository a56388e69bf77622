import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { applyGlobalPrefix, IS_PUBLIC, serviceModule } from '@platform/service-kit';
import { AppModule } from '../app.module';
import { GATEWAY_SETTINGS, GatewayConfig } from '../config/gateway.config';
import { GATEWAY } from '../service';
import { AuthRoutes, JwksRoutes } from '../proxy/auth.routes';
import { NotificationStreamRoutes } from '../proxy/notification-stream.routes';
import { NotificationsRoutes } from '../proxy/notifications.routes';
import { AdminOrdersRoutes, OrdersRoutes } from '../proxy/orders.routes';
import { UsersRoutes } from '../proxy/users.routes';
import { buildOpenApiDocument } from './openapi';

/** SPEC §2, the public API, route by route. */
const PUBLIC_API = [
  'post /api/v1/auth/register',
  'post /api/v1/auth/login',
  'post /api/v1/auth/refresh',
  'post /api/v1/auth/logout',
  'get /.well-known/jwks.json',
  'get /api/v1/users/me',
  'patch /api/v1/users/me',
  'delete /api/v1/users/me',
  'post /api/v1/orders',
  'get /api/v1/orders',
  'get /api/v1/orders/{id}',
  'post /api/v1/orders/{id}/cancel',
  'get /api/v1/notifications',
  'post /api/v1/notifications/{id}/read',
  'get /api/v1/notifications/unread-count',
  'get /api/v1/notifications/preferences',
  'put /api/v1/notifications/preferences',
  'get /api/v1/notifications/stream',
  'patch /api/v1/admin/orders/{id}/status',
];

const ROUTE_CONTROLLERS: Type[] = [AuthRoutes, JwksRoutes, UsersRoutes, OrdersRoutes, AdminOrdersRoutes, NotificationsRoutes, NotificationStreamRoutes];
const VERBS = ['get', 'post', 'put', 'delete', 'patch', 'all', 'options', 'head'];

/** Every route the gateway's controllers declare, read from Nest's own metadata. */
function declaredRoutes(): string[] {
  return routeHandlers().map(({ route }) => route);
}

function routeHandlers(): { route: string; isPublic: boolean }[] {
  return ROUTE_CONTROLLERS.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    return Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor' && Reflect.hasMetadata(PATH_METADATA, controller.prototype[name]))
      .map((name) => {
        const handler = controller.prototype[name];
        const path = [base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((part) => part && part !== '/').join('/');
        const prefix = base.startsWith('.well-known') ? '' : '/api/v1';
        const isPublic = Boolean(Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, controller));
        return { route: `${VERBS[Reflect.getMetadata(METHOD_METADATA, handler) as number]} ${prefix}/${path.replace(/:(\w+)/g, '{$1}')}`, isPublic };
      });
  });
}

describe('the OpenAPI document', () => {
  let app: NestFastifyApplication;
  let operations: string[];
  let document: ReturnType<typeof buildOpenApiDocument>;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(serviceModule({ service: GATEWAY, module: AppModule, config: GatewayConfig, settings: GATEWAY_SETTINGS }), new FastifyAdapter(), { preview: true, logger: false });
    applyGlobalPrefix(app);
    document = buildOpenApiDocument(app);
    operations = Object.entries(document.paths).flatMap(([path, item]) => VERBS.filter((verb) => verb in item).map((verb) => `${verb} ${path}`));
  });

  afterAll(() => app.close());

  it('documents every public route of the spec', () => {
    expect(PUBLIC_API.filter((route) => !operations.includes(route))).toEqual([]);
  });

  it('documents every route the gateway serves, and nothing it does not', () => {
    expect(declaredRoutes().sort()).toEqual([...operations].sort());
  });

  it('describes bodies with the shared DTOs, and errors as problem+json', () => {
    const create = document.paths['/api/v1/orders'].post!;
    expect(JSON.stringify(create.requestBody)).toContain('#/components/schemas/CreateOrderRequest');
    for (const status of ['400', '401', '413', '415', '422', '429', '503']) {
      expect({ status, response: create.responses[status] }).toEqual({ status, response: expect.objectContaining({ content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } } }) });
    }
    expect(document.components?.schemas).toEqual(expect.objectContaining({ CreateOrderRequest: expect.any(Object), ProblemResponse: expect.any(Object), OrderResponse: expect.any(Object) }));
    expect(create.security).toEqual([{ bearer: [] }]);
  });

  it('gives every operation a summary, an operationId, tags, declared security (empty where public), examples for what it takes, and its problems', () => {
    const publicRoutes = new Set(routeHandlers().filter((handler) => handler.isPublic).map((handler) => handler.route));
    const gaps: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const verb of VERBS.filter((name) => name in item)) {
        const operation = (item as Record<string, OperationLike>)[verb];
        const route = `${verb} ${path}`;
        const expectedSecurity = publicRoutes.has(route) ? [] : [{ bearer: [] }];
        if (!operation.summary) gaps.push(`${route}: no summary`);
        if (!operation.operationId) gaps.push(`${route}: no operationId`);
        if (!operation.tags?.length) gaps.push(`${route}: no tags`);
        if (JSON.stringify(operation.security) !== JSON.stringify(expectedSecurity)) gaps.push(`${route}: security ${JSON.stringify(operation.security)}`);
        if (operation.requestBody && !operation.requestBody.content['application/json']?.examples) gaps.push(`${route}: no request example`);
        for (const parameter of operation.parameters ?? []) if ((parameter.example ?? parameter.examples ?? parameter.schema?.example) === undefined) gaps.push(`${route}: no example for ${parameter.name}`);
        const problems = Object.keys(operation.responses).filter((status) => /^[45]/.test(status));
        if (!problems.includes('429') || (!publicRoutes.has(route) && !problems.includes('401')) || (operation.requestBody && !problems.includes('400'))) gaps.push(`${route}: problems ${problems.join(',')}`);
      }
    }
    expect(gaps).toEqual([]);
  });

  it("passes Redocly's recommended ruleset with no error and no warning (the real CLI)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      let output: string;
      try {
        output = execFileSync(join(__dirname, '../../../../node_modules/.bin/redocly'), ['lint', file, '--extends', 'recommended', '--format', 'json'], {
          encoding: 'utf8',
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NODE_OPTIONS: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (error) {
        // redocly exits 1 when it finds errors; its report is still on stdout.
        output = String((error as { stdout?: string }).stdout ?? '');
      }
      const report = JSON.parse(output) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
      expect(report.problems.map((found) => `${found.ruleId}: ${found.message} at ${found.location[0]?.pointer}`)).toEqual([]);
      expect(report.totals).toEqual(expect.objectContaining({ errors: 0, warnings: 0 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['get', '/api/v1/notifications/unread-count', [401]],
    ['get', '/api/v1/notifications/preferences', [401]],
    ['put', '/api/v1/notifications/preferences', [400, 401]],
    ['get', '/api/v1/notifications/stream', [400, 401, 429]],
  ] as const)('describes %s %s fully: summary, operationId, tag, security and its problems', (method, path, problems) => {
    const operation = document.paths[path][method]!;
    expect(operation).toEqual(expect.objectContaining({ summary: expect.any(String), operationId: expect.any(String), tags: ['notifications'], security: [{ bearer: [] }] }));
    for (const status of problems) {
      expect({ status, response: operation.responses[String(status)] }).toEqual({
        status,
        response: expect.objectContaining({ description: expect.any(String), content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } } }),
      });
    }
    if (method === 'put') expect(Object.keys((operation.requestBody as { content: Record<string, { examples?: object }> }).content['application/json'].examples ?? {})).not.toEqual([]);
  });

  it('documents the stream as text/event-stream with Last-Event-ID', () => {
    const operation = document.paths['/api/v1/notifications/stream'].get!;
    expect(Object.keys((operation.responses['200'] as { content: object }).content)).toEqual(['text/event-stream']);
    expect(operation.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Last-Event-ID', in: 'header' })]));
  });
});

interface OperationLike {
  summary?: string;
  operationId?: string;
  tags?: string[];
  security?: unknown;
  requestBody?: { content: Record<string, { examples?: unknown }> };
  parameters?: { name: string; example?: unknown; examples?: unknown; schema?: { example?: unknown } }[];
  responses: Record<string, unknown>;
}
