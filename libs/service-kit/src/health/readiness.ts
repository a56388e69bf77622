import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/** Something a health endpoint runs: a dependency the service needs (readiness) or reports (details). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves with optional details when healthy; rejects (quickly) when not. */
  check(): Promise<Record<string, unknown> | void>;
}

/**
 * Marks a provider as a readiness check: /health/ready runs every one the app's modules provide.
 * Only what the service cannot serve its API without belongs here (`DatabaseModule`'s database):
 * a failing check takes every replica out of its Service at once.
 */
export const Readiness = DiscoveryService.createDecorator<void>();

/**
 * Marks a provider as a detail of the service's health: reported by `GET /health` on the
 * management port (with the readiness checks), in metrics and alerts, never in readiness (Kafka,
 * the outbox backlog, consumer lag, the gateway's upstreams). The outbox exists so that writes go
 * on while Kafka is away; Kafka in readiness would take the whole API down with it.
 */
export const HealthDetail = DiscoveryService.createDecorator<void>();

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

/** Thrown by a check that is down and has more to say than its message (the gateway's upstreams). */
export class CheckFailed extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
