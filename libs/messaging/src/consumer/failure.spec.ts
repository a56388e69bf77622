import { EventRejectedError } from '@platform/contracts';
import { QueryFailedError } from 'typeorm';
import { isRejection, isTransientFailure } from './failure';

describe('failure classification', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['admin shutdown (Postgres restarting)', new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a serialization failure', new QueryFailedError('UPDATE', [], Object.assign(new Error('could not serialize access'), { code: '40001' }))],
  ])('treats %s as transient (retry until it is back)', (_, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key'), { code: '23505' }))],
    ['a bug in a handler', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('treats %s as the event’s problem (bounded retries, then dead letter)', (_, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });

  it('recognises contract rejections', () => {
    expect(isRejection(new EventRejectedError('invalid-payload', 'x'))).toBe(true);
    expect(isRejection(new Error('x'))).toBe(false);
  });
});
