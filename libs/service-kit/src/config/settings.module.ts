import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { SettingsClass } from '@platform/config';
import { BaseServiceConfig } from './base-service.config';
import { SERVICE, type ServiceIdentity } from './service-identity';

/**
 * Makes the service's identity and its validated settings injectable everywhere: each settings
 * class by itself, and the service's own class also as BaseServiceConfig.
 */
@Global()
@Module({})
export class SettingsModule {
  static forValues(service: ServiceIdentity, own: SettingsClass<BaseServiceConfig>, settings: Map<SettingsClass, object>): DynamicModule {
    const providers = [
      { provide: SERVICE, useValue: service },
      ...[...settings].map(([settingsClass, value]) => ({ provide: settingsClass, useValue: value })),
      { provide: BaseServiceConfig, useExisting: own },
    ];
    return { module: SettingsModule, providers, exports: providers.map((provider) => provider.provide) };
  }
}
