import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/** Something a service needs before it can take traffic (its database, Kafka). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves with optional details when healthy; rejects (quickly) when not. */
  check(): Promise<Record<string, unknown> | void>;
}

/**
 * Marks a provider as a readiness check: /health/ready runs every one the app's modules provide
 * (`DatabaseModule` the database, messaging Kafka and the outbox; the gateway none).
 */
export const Readiness = DiscoveryService.createDecorator<void>();

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
