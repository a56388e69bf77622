import { tokenKindOf } from './token-kind';

describe('tokenKindOf', () => {
  it('tells refresh tokens, access tokens and anything else apart', () => {
    expect(tokenKindOf(`rt_${'A'.repeat(43)}`)).toBe('refresh');
    expect(tokenKindOf('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln')).toBe('access');
    expect(tokenKindOf('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).toBe('access'); // shape only; the verifier refuses it
    for (const other of ['', 'rt_short', `rt_${'A'.repeat(44)}`, 'not-a-token', 'a.b', 'a b.c.d', 'Bearer x.y.z']) expect(tokenKindOf(other)).toBeUndefined();
  });
});
