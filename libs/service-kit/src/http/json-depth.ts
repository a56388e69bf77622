import type { FastifyInstance } from 'fastify';
import { sendProblem, toProblem } from '../problem/problem-details.filter';
import { ValidationProblemException } from '../problem/validation';
import { REQUEST_ID_HEADER } from './request-id';

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when JSON text nests arrays/objects deeper than `maxDepth`. One pass over the bytes, no
 * recursion and no parsing (brackets inside strings do not count), so the gateway can check the
 * bytes it forwards without parsing them.
 */
export function jsonTextTooDeep(text: Buffer | string, maxDepth: number): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index];
    if (inString) {
      if (byte === BACKSLASH) index++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

const tooDeep = (maxDepth: number) => `The body nests arrays and objects deeper than ${maxDepth} levels.`;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);

/** What is wrong with a parsed JSON body, if anything, found with an explicit stack (no recursion). */
export function jsonValueProblem(value: unknown, maxDepth: number): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    // A lone surrogate (`"\ud800"`) is valid JSON but not text: validators and drivers choke on it.
    if (typeof current === 'string' && !isWellFormed(current)) return 'The body contains a string that is not well-formed Unicode (a lone surrogate).';
    if (typeof current !== 'object' || current === null || Buffer.isBuffer(current)) continue;
    if (depth + 1 > maxDepth) return tooDeep(maxDepth);
    for (const [key, child] of Object.entries(current)) {
      if (!isWellFormed(key)) return 'The body contains a field name that is not well-formed Unicode (a lone surrogate).';
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/**
 * Refuses bodies that nest deeper than `maxDepth` (or, once parsed, carry text that is not
 * well-formed Unicode) with a 400 problem, before any route, pipe or class-transformer (which
 * recurses once per level and overflows the stack at a few thousand) sees them. Services check
 * the parsed body; the gateway, which keeps bodies as bytes, scans them for depth.
 */
export function limitJsonNesting(fastify: FastifyInstance, maxDepth: number): void {
  fastify.addHook('preValidation', (request, reply, done) => {
    const body = request.body;
    const asBytes = Buffer.isBuffer(body) || typeof body === 'string';
    const found = asBytes ? (jsonTextTooDeep(body, maxDepth) ? tooDeep(maxDepth) : undefined) : jsonValueProblem(body, maxDepth);
    if (!found) return done();
    const { problem } = toProblem(new ValidationProblemException([{ field: 'body', message: found }]), request.url.split('?')[0]);
    problem.requestId = String(request.id);
    void reply.header(REQUEST_ID_HEADER, request.id);
    sendProblem(reply, problem);
    // The reply is sent; the route never runs.
  });
}
