import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DomainError } from './domain-error';
import { toProblem } from './problem-details.filter';
import { ValidationProblemException } from './validation';

describe('toProblem', () => {
  it('maps domain errors by kind and keeps their stable code', () => {
    const { problem, unexpected } = toProblem(new DomainError('conflict', 'ORDER.ILLEGAL_TRANSITION', 'no'), '/api/v1/orders/1/cancel');
    expect(unexpected).toBe(false);
    expect(problem).toEqual(expect.objectContaining({ status: 409, title: 'Conflict', code: 'ORDER.ILLEGAL_TRANSITION', detail: 'no', instance: '/api/v1/orders/1/cancel' }));
  });

  it('lists field errors of a validation failure', () => {
    const { problem } = toProblem(new ValidationProblemException([{ field: 'email', message: 'email must be an email' }]), '/x');
    expect(problem).toEqual(expect.objectContaining({ status: 400, errors: [{ field: 'email', message: 'email must be an email' }] }));
  });

  it('keeps Nest HTTP exceptions as they are', () => {
    expect(toProblem(new NotFoundException('Cannot GET /nope'), '/nope').problem.status).toBe(404);
    expect(toProblem(new BadRequestException('Unexpected token'), '/x').problem.detail).toBe('Unexpected token');
  });

  it("turns Fastify's client errors into 4xx, never 5xx", () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    const mediaType = Object.assign(new Error('Unsupported Media Type: text/xml'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });
    expect(toProblem(tooLarge, '/x').problem.status).toBe(413);
    expect(toProblem(mediaType, '/x').problem.status).toBe(415);
  });

  it('hides everything about an unexpected error', () => {
    const { problem, unexpected } = toProblem(new Error('relation "users" does not exist at SELECT * FROM users'), '/x');
    expect(unexpected).toBe(true);
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/relation|SELECT/);
  });
});
