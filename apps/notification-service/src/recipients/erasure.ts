import { createHash } from 'node:crypto';

/** How an erased user is remembered: a SHA-256 of the id, never the id itself. */
export function erasureHash(userId: string): string {
  return createHash('sha256').update(`recipient:${userId}`).digest('hex');
}
