/** Settings every verifier and the one signer share. */
export const ACCESS_TOKEN = {
  /** RFC 9068 access-token media type, checked in the JWT header so no other JWT passes as one. */
  type: 'at+jwt',
  /** The only algorithm accepted; anything else (none, HS256, RS256, …) is refused before verification. */
  algorithm: 'EdDSA',
  maxLifetimeSeconds: 15 * 60,
  clockToleranceSeconds: 5,
} as const;
