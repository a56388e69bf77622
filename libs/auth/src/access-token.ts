/** Settings every verifier and the one signer share. */
export const ACCESS_TOKEN = {
  /** RFC 9068 access-token media type, checked in the JWT header so no other JWT passes as one. */
  type: 'at+jwt',
  /** The only algorithm accepted; anything else (none, HS256, RS256, …) is refused before verification. */
  algorithm: 'EdDSA',
  maxLifetimeSeconds: 15 * 60,
  clockToleranceSeconds: 5,
  /**
   * A verifier refetches the JWKS when a token names a key it does not know, at most once per
   * this many seconds (so random `kid`s cannot make it hammer the issuer). Key rotation waits
   * this long between publishing a new key and signing with it (docs/deploy.md).
   */
  jwksCooldownSeconds: 10,
} as const;
