import { EventEmitter } from 'node:events';
import type { DatabaseConfig } from '@platform/service-kit';
import { Pool } from 'pg';
import { RelayConnection } from './relay-connection';

jest.mock('pg', () => ({ Pool: jest.fn() }));

describe('RelayConnection', () => {
  let client: EventEmitter & { query: jest.Mock; release: jest.Mock };
  const pool = { connect: jest.fn(async () => client), on: jest.fn(), end: jest.fn(async () => undefined) };
  const relay = () => new RelayConnection({ name: 'order-service', schema: 'orders' }, { DATABASE_URL: 'postgres://order_service@db/platform' } as DatabaseConfig);

  beforeEach(() => {
    jest.mocked(Pool).mockImplementation(() => pool as never);
    client = Object.assign(new EventEmitter(), { query: jest.fn(async () => ({ rows: [{ id: '1' }] })), release: jest.fn() });
  });

  it("is a connection of its own (not the API's pool) whose commits do not wait for the WAL flush", async () => {
    await relay().transaction(async (query) => query('SELECT 1'));
    expect(Pool).toHaveBeenCalledWith(expect.objectContaining({ max: 1, application_name: 'order-service-outbox-relay', options: expect.stringContaining('-c synchronous_commit=off') }));
    expect(client.query.mock.calls.map(([sql]) => sql)).toEqual(['BEGIN', 'SELECT 1', 'COMMIT']);
    expect(client.release).toHaveBeenCalledWith(undefined);
  });

  it('rolls back when the work throws, and gives the connection back', async () => {
    await expect(relay().transaction(async () => Promise.reject(new Error('broker not available')))).rejects.toThrow('broker not available');
    expect(client.query.mock.calls.map(([sql]) => sql)).toEqual(['BEGIN', 'ROLLBACK']);
    expect(client.release).toHaveBeenCalledWith(undefined);
  });

  it('survives its connection dropping mid-transaction (Postgres restarted): the pass fails, the process does not, the connection is discarded', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    client.query.mockImplementation(async (sql: string) => {
      if (sql === 'BEGIN') return { rows: [] };
      client.emit('error', lost); // what pg does when the socket closes under a checked-out client
      throw lost;
    });
    await expect(relay().transaction(async (query) => query('SELECT 1'))).rejects.toThrow('terminated');
    expect(client.release).toHaveBeenCalledWith(lost);
    expect(client.listenerCount('error')).toBe(0);
  });
});
