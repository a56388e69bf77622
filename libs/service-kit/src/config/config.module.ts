import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import { BaseServiceConfig } from './base-service.config';
import { loadConfig } from './load-config';

/**
 * Makes a service's validated config injectable by its own class and as BaseServiceConfig,
 * which the shared kit (logging, health, shutdown) reads.
 */
@Global()
@Module({})
export class ServiceConfigModule {
  static forRoot<T extends BaseServiceConfig>(configClass: ClassConstructor<T>): DynamicModule {
    return {
      module: ServiceConfigModule,
      providers: [
        { provide: configClass, useFactory: () => loadConfig(configClass) },
        { provide: BaseServiceConfig, useExisting: configClass },
      ],
      exports: [configClass, BaseServiceConfig],
    };
  }
}
