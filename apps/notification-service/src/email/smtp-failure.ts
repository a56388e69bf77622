/** What an SMTP failure means for the delivery: try again later, or give up with the reason. */
export type SmtpFailureKind = 'retry' | 'permanent';

interface NodemailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * A 5xx reply is the server refusing this mail for good (unknown mailbox, policy): permanent.
 * Everything else — unreachable, timed out, a 4xx "try later", our own credentials refused (fixed
 * by the operator, not by the mail) — is retried.
 */
export function classifySmtpFailure(error: unknown): { kind: SmtpFailureKind; reason: string } {
  const failure = (error ?? {}) as NodemailerError;
  const reason = (failure.response ?? failure.message ?? String(error)).slice(0, 500);
  const permanent = typeof failure.responseCode === 'number' && failure.responseCode >= 500 && failure.code !== 'EAUTH';
  return { kind: permanent ? 'permanent' : 'retry', reason: failure.responseCode ? `${failure.responseCode} ${reason.replace(/^\d{3}\s*/, '')}` : reason };
}
