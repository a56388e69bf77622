import type { Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { applyGlobalPrefix, serviceModule } from '@platform/service-kit';
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
  return ROUTE_CONTROLLERS.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    return Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor' && Reflect.hasMetadata(PATH_METADATA, controller.prototype[name]))
      .map((name) => {
        const handler = controller.prototype[name];
        const path = [base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((part) => part && part !== '/').join('/');
        const prefix = base.startsWith('.well-known') ? '' : '/api/v1';
        return `${VERBS[Reflect.getMetadata(METHOD_METADATA, handler) as number]} ${prefix}/${path.replace(/:(\w+)/g, '{$1}')}`;
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
    expect(create.responses['4XX']).toEqual(expect.objectContaining({ content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } } }));
    expect(document.components?.schemas).toEqual(expect.objectContaining({ CreateOrderRequest: expect.any(Object), ProblemResponse: expect.any(Object), OrderResponse: expect.any(Object) }));
    expect(create.security).toEqual([{ bearer: [] }]);
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
