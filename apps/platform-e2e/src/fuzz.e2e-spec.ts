import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { REPO_ROOT } from '@platform/local-platform';
import { OpenApiContract, registerUser, TestPlatform, type TestUser } from '@platform/testing';

/** Fixed, so a failure replays exactly: FUZZ_SEED=<seed> reruns another sequence. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_125);
/** Requests per operation; 16 operations → a few hundred per run. */
const RUNS_PER_OPERATION = Number(process.env['FUZZ_RUNS'] ?? 25);

type Schema = Record<string, any>;
type Json = unknown;

interface FuzzRequest {
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What was done to the request, for the failure report. */
  mutation: string;
}

/** A JSON Schema (OpenAPI 3.0 flavour) → an arbitrary of values that satisfy it. */
function valid(schema: Schema, components: Record<string, Schema>): fc.Arbitrary<Json> {
  if (schema['$ref']) return fc.constant(null).chain(() => valid(components[String(schema['$ref']).split('/').pop() as string], components));
  if (schema['enum']) return fc.constantFrom(...(schema['enum'] as Json[]));
  switch (schema['type']) {
    case 'string': {
      const maxLength = Math.min(schema['maxLength'] ?? 40, 120);
      const minLength = schema['minLength'] ?? 0;
      if (schema['format'] === 'uuid') return fc.uuid();
      if (schema['format'] === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
      if (schema['pattern']) return fc.stringMatching(new RegExp(schema['pattern'])).filter((text) => text.length >= minLength && text.length <= maxLength);
      if (schema['example'] !== undefined) return fc.oneof(fc.constant(schema['example']), fc.string({ minLength, maxLength }));
      return fc.string({ minLength, maxLength });
    }
    case 'integer':
    case 'number':
      return fc.integer({ min: schema['minimum'] ?? -1_000_000, max: schema['maximum'] ?? 1_000_000 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(schema['items'] ?? {}, components), { minLength: schema['minItems'] ?? 0, maxLength: Math.min(schema['maxItems'] ?? 4, 4) });
    case 'object': {
      const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
      return fc.record(Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valid(property, components)])), { requiredKeys: schema['required'] ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const anyJson = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }));
const boundaryNumbers = fc.constantFrom('-1', '0', '-0', '0.5', '1001', '2147483648', '9007199254740993', '-9007199254740993', '1e308', '1e309', '-1e309', '1e-400', '1000000001', '1E2');
const hostileKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'userId', 'roles', 'status', 'total', 'admin', '', '\u0000', 'x'.repeat(5_000));

/** Replaces the text of one top-level value (or a nested one, through the JSON text) with raw JSON. */
function withField(value: Record<string, Json>, key: string, rawJson: string): string {
  const marker = `"__fuzz_marker_${key.length}__"`;
  return JSON.stringify({ ...value, [key]: JSON.parse(marker) }).replace(marker, rawJson);
}

/** Ways to spoil a valid body: each yields raw bytes, a content type, and a label. */
function mutatedBody(validBody: fc.Arbitrary<Json>): fc.Arbitrary<{ body?: string | Buffer; contentType?: string; label: string }> {
  const asObject = validBody.map((value) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, Json>) : { value }));
  const keyOf = (value: Record<string, Json>, index: number) => Object.keys(value)[index % Math.max(1, Object.keys(value).length)] ?? 'field';
  const json = (label: string, body: string) => ({ body, contentType: 'application/json', label });
  return fc.oneof(
    asObject.map((value) => json('valid', JSON.stringify(value))),
    fc.tuple(asObject, fc.nat(), anyJson).map(([value, index, other]) => json(`wrong type for ${keyOf(value, index)}`, JSON.stringify({ ...value, [keyOf(value, index)]: other }))),
    fc.tuple(asObject, fc.nat()).map(([value, index]) => {
      const { [keyOf(value, index)]: _gone, ...rest } = value;
      return json(`missing ${keyOf(value, index)}`, JSON.stringify(rest));
    }),
    fc.tuple(asObject, hostileKeys, anyJson).map(([value, key, other]) => json(`extra field ${key.slice(0, 20)}`, JSON.stringify({ ...value, [key]: other }))),
    fc.tuple(asObject, fc.nat(), boundaryNumbers).map(([value, index, number]) => json(`boundary ${number} for ${keyOf(value, index)}`, withField(value, keyOf(value, index), number))),
    fc.tuple(asObject, boundaryNumbers).map(([value, number]) => json(`boundary ${number} inside items`, JSON.stringify(value).replace(/("(quantity|unitPrice)":)-?\d+/, `$1${number}`))),
    fc.tuple(asObject, fc.nat(), fc.integer({ min: 1_000, max: 400_000 })).map(([value, index, size]) => json(`huge string (${size}) for ${keyOf(value, index)}`, JSON.stringify({ ...value, [keyOf(value, index)]: 'x'.repeat(size) }))),
    fc.tuple(asObject, fc.nat(), fc.integer({ min: 10, max: 50_000 })).map(([value, index, depth]) => json(`nested ${depth} deep in ${keyOf(value, index)}`, withField(value, keyOf(value, index), '['.repeat(depth) + ']'.repeat(depth)))),
    fc.tuple(asObject, fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82])).map(([value, bytes]) => {
      const text = JSON.stringify(value);
      const at = Math.max(1, text.indexOf('"', 1) + 1);
      return { body: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]), contentType: 'application/json', label: `invalid UTF-8 ${bytes.map((byte) => byte.toString(16)).join(' ')}` };
    }),
    asObject.map((value) => json('lone surrogate escape', JSON.stringify(value).replace(/":"/, '":"\\ud800'))),
    fc.tuple(asObject, fc.nat(), anyJson).map(([value, index, other]) => json(`duplicate key ${keyOf(value, index)}`, JSON.stringify(value).replace(/\}$/, `${Object.keys(value).length ? ',' : ''}"${keyOf(value, index)}":${JSON.stringify(other)}}`))),
    fc.tuple(asObject, fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/merge-patch+json', 'application/octet-stream', '*/*', 'application/json, text/plain', 'application/jsonx')).map(([value, contentType]) => ({ body: JSON.stringify(value), contentType, label: `content type ${contentType}` })),
    asObject.map((value) => ({ body: JSON.stringify(value), label: 'no content type' })),
    fc.constantFrom('', '{', '{"a":', 'nul', '[1,]', '{"a":1}}', '\ufeff{}', '1e999999', '"\\u00"', '{"a":"\\x41"}', '[]', 'null', '"text"', '42', 'true').map((body) => json(`not an object: ${body.slice(0, 12)}`, body)),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ body: Buffer.from(bytes), contentType: 'application/json', label: 'random bytes' })),
  );
}

/** A path parameter: a real id, a random UUID, or garbage. */
function pathValue(known: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.uuid() },
    fc.constantFrom('not-a-uuid', '%00', '%FF%FE', '..%2F..%2Fetc%2Fpasswd', '00000000-0000-0000-0000-000000000000', "1'%20OR%20'1'='1", 'a'.repeat(3_000), '%E2%82', '%C0%AF'),
    fc.string({ maxLength: 60 }).map(encodeURIComponent),
  );
}

function queryValue(schema: Schema | undefined, components: Record<string, Schema>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: valid(schema ?? { type: 'string' }, components).map(String) },
    boundaryNumbers,
    fc.constantFrom('', 'yes', 'NaN', '%00', 'A'.repeat(5_000), '%FF', '[]', '{}'),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
  );
}

/** A header value fetch accepts (visible ASCII), sometimes far too long. */
const headerValue = fc.oneof(fc.stringMatching(/^[\x21-\x7e]{0,80}$/), fc.constantFrom('k'.repeat(300), 'k'.repeat(9_000), ' '));

describe('generated requests from the OpenAPI document, then spoiled, on every route', () => {
  let platform: TestPlatform;
  let user: TestUser;
  let contract: OpenApiContract;
  const known: Record<string, string[]> = {};

  beforeAll(async () => {
    platform = await TestPlatform.start('fuzz');
    user = await registerUser(platform.api);
    const order = await platform.api.post('/orders', { currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }] }, { token: user.accessToken });
    known['order'] = [order.body.id];
    contract = await OpenApiContract.load(platform.url('gateway'));
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it("serves a document that passes Redocly's recommended ruleset (the real CLI, on what the running gateway serves)", () => {
    const file = join(platform.workDir, 'openapi.json');
    writeFileSync(file, JSON.stringify(contract.document));
    let output: string;
    try {
      output = execFileSync(join(REPO_ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--extends', 'recommended', '--format', 'json'], {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? '');
    }
    const report = JSON.parse(output) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((found) => `${found.ruleId}: ${found.message}`)).toEqual([]);
    expect(report.totals).toEqual(expect.objectContaining({ errors: 0, warnings: 0 }));
  });

  function operations(): { method: string; template: string; operation: Record<string, any> }[] {
    return Object.entries(contract.document.paths).flatMap(([template, item]) =>
      Object.entries(item as Record<string, Record<string, any>>)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({ method: method.toUpperCase(), template, operation })),
    );
  }

  function requestsFor(method: string, template: string, operation: Record<string, any>): fc.Arbitrary<FuzzRequest> {
    const components = (contract.document.components?.schemas ?? {}) as Record<string, Schema>;
    const parameters = (operation['parameters'] ?? []) as { name: string; in: string; schema?: Schema }[];
    const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
    const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
    const headerParameters = parameters.filter((parameter) => parameter.in === 'header');
    const bodySchema = operation['requestBody']?.content?.['application/json']?.schema as Schema | undefined;
    const secured = (operation['security'] ?? []).length > 0;
    // Erasing the account would end the run's session: that operation only ever gets bad tokens.
    const erases = method === 'DELETE';

    const path = fc.tuple(...pathParameters.map(() => pathValue(known['order'] ?? []))).map((values) => {
      let filled = template;
      pathParameters.forEach((parameter, index) => (filled = filled.replace(`{${parameter.name}}`, values[index])));
      return filled;
    });
    const query = fc
      .tuple(
        fc.subarray(queryParameters),
        fc.array(fc.constantFrom(...(queryParameters.length ? queryParameters.map((parameter) => parameter.name) : ['x'])), { maxLength: 2 }),
        fc.option(fc.tuple(fc.stringMatching(/^[a-z_]{1,10}$/), fc.string({ maxLength: 10 }))),
      )
      .chain(([chosen, repeated, unknown]) =>
        fc.tuple(...[...chosen, ...repeated.map((name) => ({ name, schema: undefined }))].map((parameter) => queryValue(parameter.schema, components).map((value) => `${parameter.name}=${encodeURIComponent(value)}`))).map((pairs) =>
          [...pairs, ...(unknown ? [`${unknown[0]}=${encodeURIComponent(unknown[1])}`] : [])].join('&'),
        ),
      );
    const token = erases || !secured
      ? fc.constantFrom<string | undefined>(undefined, 'garbage', user.refreshToken, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')
      : fc.oneof({ weight: 6, arbitrary: fc.constant<string | undefined>(user.accessToken) }, fc.constantFrom<string | undefined>(undefined, 'garbage', user.refreshToken, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'));
    const headers = fc.tuple(token, fc.tuple(...headerParameters.map(() => fc.option(headerValue)))).map(([bearer, values]) => {
      const result: Record<string, string> = {};
      if (bearer) result['authorization'] = `Bearer ${bearer}`;
      headerParameters.forEach((parameter, index) => {
        if (values[index] !== null) result[parameter.name.toLowerCase()] = values[index] as string;
      });
      return result;
    });
    // fetch sends no body with a GET; other operations without a declared body get stray ones.
    const body = bodySchema ? mutatedBody(valid(bodySchema, components)) : method === 'GET' ? fc.constant(null) : fc.option(mutatedBody(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 })), { freq: 4 });

    return fc.tuple(path, query, headers, body).map(([filledPath, queryString, headerValues, spoiled]) => {
      const request: FuzzRequest = { path: filledPath, query: queryString, headers: headerValues, mutation: spoiled?.label ?? 'no body' };
      if (spoiled?.body !== undefined) {
        request.body = spoiled.body;
        if (spoiled.contentType) request.headers['content-type'] = spoiled.contentType;
      }
      return request;
    });
  }

  it(`answers ${RUNS_PER_OPERATION} generated and spoiled requests per operation without a 5xx or a dropped connection, problem+json on every 4xx (seed ${SEED})`, async () => {
    const all = operations();
    expect(all.length).toBeGreaterThanOrEqual(15);
    const gateway = platform.url('gateway');
    const statuses = new Map<number, number>();
    for (const { method, template, operation } of all) {
      const property = fc.asyncProperty(requestsFor(method, template, operation), async (request) => {
        const url = `${gateway}${request.path}${request.query ? `?${request.query}` : ''}`;
        let response: Response;
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(new Error('no answer within 15 s')), 15_000);
        try {
          response = await fetch(url, { method, headers: request.headers, body: request.body, signal: abort.signal });
        } catch (error) {
          clearTimeout(timer);
          throw new Error(`${method} ${url.slice(0, 200)} [${request.mutation}]: connection failed: ${(error as Error).message} ${String((error as { cause?: Error }).cause?.message ?? '')}`, { cause: error });
        }
        if (response.status === 200 && (response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
          // A stream the request was good enough to open: it stays open, so hang up once it has.
          clearTimeout(timer);
          abort.abort();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          return;
        }
        const text = await response.text().finally(() => clearTimeout(timer));
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const contentType = response.headers.get('content-type') ?? '';
        const where = `${method} ${url.slice(0, 200)} [${request.mutation}] → ${response.status} ${contentType} ${text.slice(0, 300)}`;
        if (response.status >= 500) throw new Error(`a server error: ${where}`);
        if (response.status >= 400) {
          if (!contentType.startsWith('application/problem+json')) throw new Error(`not problem+json: ${where}`);
          const problem = JSON.parse(text) as { status?: number; traceId?: string };
          if (problem.status !== response.status || !/^[0-9a-f]{32}$/.test(problem.traceId ?? '')) throw new Error(`a malformed problem: ${where}`);
        }
      });
      const details = await fc.check(property, { seed: SEED, numRuns: RUNS_PER_OPERATION, endOnFailure: true });
      if (details.failed) {
        throw new Error(`${method} ${template}: ${String((details.errorInstance as Error)?.message ?? details.errorInstance)}\nreplay with FUZZ_SEED=${SEED} (fast-check seed ${details.seed}, path ${details.counterexamplePath})`);
      }
    }
    // The run really sent requests of every kind of outcome, not only refusals.
    expect([...statuses.keys()].some((status) => status < 300)).toBe(true);
    expect([...statuses.keys()].some((status) => status >= 400)).toBe(true);
  });

  it('is still ready and serving afterwards', async () => {
    for (const service of ['gateway', 'user-service', 'order-service', 'notification-service'] as const) {
      expect({ service, status: (await fetch(`${platform.url(service)}/health/ready`)).status }).toEqual({ service, status: 200 });
    }
    expect((await platform.api.get('/users/me', { token: user.accessToken })).status).toBe(200);
  });
});
