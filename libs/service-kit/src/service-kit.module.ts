import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import type { BaseServiceConfig } from './config/base-service.config';
import { ServiceConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MetricsController } from './http/metrics.controller';
import type { ReadinessCheck } from './health/readiness';

export interface ServiceKitOptions<TConfig extends BaseServiceConfig> {
  config: ClassConstructor<TConfig>;
  readiness: Type<ReadinessCheck>[];
}

/** What every service imports once: its validated config, health endpoints and `/metrics`. */
@Module({})
export class ServiceKitModule {
  static forRoot<TConfig extends BaseServiceConfig>(options: ServiceKitOptions<TConfig>): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [ServiceConfigModule.forRoot(options.config), HealthModule.forRoot(options.readiness)],
      controllers: [MetricsController],
    };
  }
}
