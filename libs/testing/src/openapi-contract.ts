import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
  requestBody?: { content: Record<string, { schema?: Json }> };
  parameters?: { name: string; in: string; required?: boolean; schema?: Json }[];
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Json> };
}

const DOCUMENT_ID = 'openapi';

/**
 * OpenAPI 3.0 schema → JSON Schema for Ajv: `nullable` becomes a `null` type, `example` goes, refs
 * point into the document, and objects are closed (a field the document does not name is drift).
 */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, example, ...rest } = schema as Json;
  void example;
  const converted: Json = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, key === 'properties' ? Object.fromEntries(Object.entries(value as Json).map(([name, property]) => [name, toJsonSchema(property)])) : toJsonSchema(value)]));
  if (typeof converted['$ref'] === 'string') converted['$ref'] = `${DOCUMENT_ID}${converted['$ref'] as string}`;
  if (converted['type'] === 'object' && converted['properties'] && converted['additionalProperties'] === undefined) converted['additionalProperties'] = false;
  if (nullable === true) {
    if (typeof converted['type'] === 'string') converted['type'] = [converted['type'], 'null'];
    if (Array.isArray(converted['enum'])) converted['enum'] = [...(converted['enum'] as unknown[]), null];
    if (converted['$ref']) return { anyOf: [{ $ref: converted['$ref'] }, { type: 'null' }] };
  }
  return converted;
}

/**
 * The served OpenAPI document as a contract: which operation a request is, and whether an answer
 * is one the document declares (status, media type, body schema), checked with Ajv.
 */
export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<object, ValidateFunction>();
  private readonly templates: { pattern: RegExp; path: string }[];

  readonly document: OpenApiDocument;

  constructor(document: OpenApiDocument) {
    this.document = document;
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: { schemas: toJsonSchema(document.components?.schemas ?? {}) } });
    this.templates = Object.keys(document.paths).map((path) => ({ path, pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}|\{[^}]+\}/g, '[^/]+')}$`) }));
  }

  /** Fetches what the gateway serves at /docs/openapi.json. */
  static async load(gatewayUrl: string): Promise<OpenApiContract> {
    const response = await fetch(`${gatewayUrl.replace(/\/$/, '')}/docs/openapi.json`);
    if (response.status !== 200) throw new Error(`/docs/openapi.json answered ${response.status}`);
    return new OpenApiContract((await response.json()) as OpenApiDocument);
  }

  /** The document's path template and operation for a request path (no query), if it declares one. */
  operation(method: string, pathname: string): { path: string; operation: Operation } | undefined {
    for (const template of this.templates) {
      const operation = this.document.paths[template.path][method.toLowerCase()];
      if (operation && template.pattern.test(pathname)) return { path: template.path, operation };
    }
    return undefined;
  }

  /** Schemas compiled once each. */
  validator(schema: Json): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as Json);
      this.validators.set(schema, validate);
    }
    return validate;
  }

  /** Every way an answer departs from the document; empty when it matches. */
  responseViolations(method: string, url: string, answer: { status: number; contentType: string | null; body: unknown; text: string }): string[] {
    const pathname = new URL(url).pathname;
    const found = this.operation(method, pathname);
    const where = `${method} ${pathname} → ${answer.status}`;
    if (!found) return [`${where}: the document has no such operation`];
    const declared = found.operation.responses[String(answer.status)] ?? found.operation.responses[`${String(answer.status)[0]}XX`] ?? found.operation.responses['default'];
    if (!declared) return [`${where}: status not declared (declared: ${Object.keys(found.operation.responses).join(', ')})`];
    const mediaType = (answer.contentType ?? '').split(';')[0].trim();
    if (!declared.content) return answer.text === '' ? [] : [`${where}: the document declares no body, got ${mediaType} ${answer.text.slice(0, 100)}`];
    const media = declared.content[mediaType];
    if (!media) return [`${where}: media type ${mediaType || '(none)'} not declared (declared: ${Object.keys(declared.content).join(', ')})`];
    if (!media.schema) return [];
    const validate = this.validator(media.schema);
    if (validate(answer.body)) return [];
    return (validate.errors ?? []).map((error) => `${where}: body${error.instancePath} ${error.message}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params['additionalProperty'])})` : ''}`);
  }
}
