import type { INestApplication } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/**
 * A provider that attaches something to the application before it listens (the Kafka consumer, as
 * a Nest microservice). Mark it `@AppTransport()`; the bootstrap connects every one the app has.
 */
export interface TransportConnector {
  connect(app: INestApplication): void | Promise<void>;
}

export const AppTransport = DiscoveryService.createDecorator<void>();
