/** Why an event cannot be accepted. Sent as the `dlq_reason` header of a dead letter. */
export type RejectionReason = 'malformed-envelope' | 'malformed-json' | 'unknown-type' | 'unknown-version' | 'invalid-payload';

/** An event that no retry can fix: it goes straight to the dead-letter topic. */
export class EventRejectedError extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'EventRejectedError';
  }
}
