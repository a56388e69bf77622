import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
import { ProblemResponse } from '@platform/api';
import { PROBLEM_CONTENT, PROBLEM_DESCRIPTIONS } from './api-problems';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Problems any operation can give, whatever it does: the gateway's rate limits and its upstreams. */
const EVERY_OPERATION = [429, 503, 504];
/** Problems of every operation that takes a body: invalid, too large, too deep, not JSON. */
const WITH_BODY = [400, 413, 415];
/** Problems of every operation that needs an access token. */
const WITH_TOKEN = [401];

function problem(status: number) {
  return { description: PROBLEM_DESCRIPTIONS[status], content: PROBLEM_CONTENT };
}

/**
 * What every operation shares, added in one place: the problems it can give by its shape (a body,
 * a token, any request at all), and `security: []` stated where an operation is public.
 */
function completeOperation(method: (typeof METHODS)[number], operation: OperationObject): void {
  const secured = (operation.security ?? []).length > 0;
  // service-kit's HTTP caching tags every GET of JSON; a matching If-None-Match gets a 304.
  if (method === 'get') operation.responses['304'] ??= { description: 'Not modified: `If-None-Match` matched the current `ETag`; no body.' };
  operation.security ??= [];
  const shared = [...EVERY_OPERATION, ...(operation.requestBody ? WITH_BODY : []), ...(secured ? WITH_TOKEN : [])];
  for (const status of shared) operation.responses[String(status)] ??= problem(status);
  // Responses in status order, so the document reads like the API.
  operation.responses = Object.fromEntries(Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The one OpenAPI document of the public API, generated from the gateway's routes and the shared
 * DTOs of @platform/api. Redocly's recommended ruleset finds nothing in it (openapi.spec.ts runs
 * the real CLI).
 */
export function buildOpenApiDocument(app: INestApplication, version = '1.0.0'): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Platform API')
    .setDescription(
      'Accounts, orders and notifications. JSON in and out; money in integer minor units; errors are RFC 9457 problem+json. ' +
        'Authenticate with `Authorization: Bearer <accessToken>` from POST /api/v1/auth/login. ' +
        'Every GET of a resource or list carries an `ETag` (`If-None-Match` answers 304) and `Cache-Control: private, no-cache`; answers carrying tokens are `no-store`.',
    )
    .setVersion(version)
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addServer('/', 'The gateway that serves this document (paths include /api/v1)')
    .addTag('auth', 'Accounts, tokens and the signing keys')
    .addTag('users', 'The caller’s own profile')
    .addTag('orders', 'The caller’s orders')
    .addTag('admin', 'Operations for the admin role')
    .addTag('notifications', 'The caller’s notifications')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /api/v1/auth/login or /auth/refresh.' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemResponse],
    operationIdFactory: (controller, method) => `${controller.replace(/Routes$/, '')}_${method}`,
  });
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (operation) completeOperation(method, operation);
    }
  }
  return document;
}

/** Swagger UI at /docs and the document at /docs/openapi.json. */
export function serveApiDocs(app: INestApplication, version?: string): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, version), {
    useGlobalPrefix: false,
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Platform API',
  });
}
