import { DomainError } from '../problem/domain-error';
import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('keyset cursors', () => {
  const position = { createdAt: new Date('2026-11-23T10:00:00.123Z'), id: '6f1c1f0e-8a4e-4b8e-9a57-2c1b7f1e0d11' };

  it('round-trips a position exactly, milliseconds included', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each(['', 'garbage', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["not a date","6f1c1f0e-8a4e-4b8e-9a57-2c1b7f1e0d11"]').toString('base64url'), Buffer.from('["2026-11-23T10:00:00Z","not-a-uuid"]').toString('base64url')])(
    'refuses %j as a client mistake',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(DomainError);
    },
  );

  it('gives a next cursor only when there is a next page', () => {
    const rows = [1, 2, 3].map((n) => ({ id: `00000000-0000-4000-8000-00000000000${n}`, createdAt: new Date(Date.UTC(2026, 0, n)) }));
    expect(toPage(rows, 3, (row) => row.id).nextCursor).toBeNull();
    const page = toPage(rows, 2, (row) => row.id);
    expect(page.items).toHaveLength(2);
    expect(decodeCursor(page.nextCursor as string)).toEqual({ id: rows[1].id, createdAt: rows[1].createdAt });
  });
});
