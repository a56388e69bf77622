import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ProblemResponse } from '@platform/api';

const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * The one OpenAPI document of the public API, generated from the gateway's routes and the shared
 * DTOs of @platform/api. Every operation also documents its problem+json errors.
 */
export function buildOpenApiDocument(app: INestApplication, version = '1.0.0'): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Platform API')
    .setDescription(
      'Accounts, orders and notifications. JSON in and out; money in integer minor units; errors are RFC 9457 problem+json. ' +
        'Authenticate with `Authorization: Bearer <accessToken>` from POST /api/v1/auth/login.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemResponse],
    operationIdFactory: (controller, method) => `${controller.replace(/Routes$/, '')}_${method}`,
  });
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (!operation) continue;
      operation.responses['4XX'] ??= { description: 'Client error', content: PROBLEM };
      operation.responses['5XX'] ??= { description: 'Server or upstream error', content: PROBLEM };
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
