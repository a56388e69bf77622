/** The two kinds of token the platform hands out, told apart by their shape before anything else. */
export type TokenKind = 'access' | 'refresh';

export const REFRESH_TOKEN = {
  /** Makes leaked refresh tokens easy to spot (and to redact). */
  prefix: 'rt_',
  /** The prefix and 256 random bits in base64url. */
  pattern: /^rt_[A-Za-z0-9_-]{43}$/,
} as const;

/** Three base64url segments: a compact JWS. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The one token-kind check: which kind a presented token is, or undefined for neither. Every place
 * that takes a token asks it first, so a token used where another kind is expected is refused as
 * an invalid token (401), never as a malformed request.
 */
export function tokenKindOf(token: string): TokenKind | undefined {
  if (REFRESH_TOKEN.pattern.test(token)) return 'refresh';
  if (COMPACT_JWS.test(token)) return 'access';
  return undefined;
}
