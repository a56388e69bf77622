import { Injectable } from '@nestjs/common';

/** Something a service needs before it can take traffic (its database, Kafka). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves with optional details when healthy; rejects (quickly) when not. */
  check(): Promise<Record<string, unknown> | void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Flipped when SIGTERM arrives, so readiness fails before the server stops accepting. */
@Injectable()
export class ShutdownState {
  private draining = false;

  get isShuttingDown(): boolean {
    return this.draining;
  }

  markShuttingDown(): void {
    this.draining = true;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
