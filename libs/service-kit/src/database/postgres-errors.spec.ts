import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable, isRetryableConflict, isUniqueViolation } from './postgres-errors';

describe('what a database error means for the caller', () => {
  it.each([
    ['the server refused the connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['the server is shutting down (57P01)', { name: 'QueryFailedError', message: 'terminating connection due to administrator command', driverError: { code: '57P01' } }],
    ['the connection broke mid-query', new Error('Connection terminated unexpectedly')],
    ['the connection died under a transaction (a failover): the COMMIT finds it released', new QueryRunnerAlreadyReleasedError()],
    ['…or the next statement does', new QueryRunnerProviderAlreadyReleasedError()],
  ])('%s: unavailable (503, nobody’s mistake)', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('a constraint the request broke is not unavailability', () => {
    const duplicate = { name: 'QueryFailedError', message: 'duplicate key', driverError: { code: '23505' } };
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isRetryableConflict({ name: 'QueryFailedError', driverError: { code: '40P01' } })).toBe(true);
  });
});
