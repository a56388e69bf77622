/** Who a service is, said once in its `service.ts`: its name, and the Postgres schema it owns. */
export interface ServiceIdentity {
  /** Logs, traces, metrics, Kafka client id and consumer group, CloudEvents `source`. */
  readonly name: string;
  /** The schema of its tables (services without a database have none). */
  readonly schema?: string;
}

/** Injection token of the running service's ServiceIdentity. */
export const SERVICE = Symbol('SERVICE');
