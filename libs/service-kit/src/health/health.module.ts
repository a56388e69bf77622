import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { READINESS_CHECKS, ShutdownState, type ReadinessCheck } from './readiness';

/** `/health/live` and `/health/ready` (terminus), with the readiness checks a service lists. */
@Module({})
export class HealthModule {
  static forRoot(checks: Type<ReadinessCheck>[]): DynamicModule {
    const providers: Provider[] = [
      ...checks,
      { provide: READINESS_CHECKS, useFactory: (...instances: ReadinessCheck[]) => instances, inject: checks },
    ];
    return {
      module: HealthModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [ShutdownState, ...providers],
      exports: [ShutdownState],
    };
  }
}
