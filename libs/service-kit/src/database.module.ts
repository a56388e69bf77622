import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseConfig } from './config/database.config';
import { SERVICE, type ServiceIdentity } from './config/service-identity';
import { postgresOptions, type ServiceData } from './database/postgres-options';
import { DatabaseReadinessCheck } from './health/database.check';

/** The service's own schema through TypeORM, as its own role; readiness checks it. */
@Module({})
export class DatabaseModule {
  static forRoot(data: ServiceData): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: (service: ServiceIdentity, config: DatabaseConfig) => postgresOptions(service, data, config),
          inject: [SERVICE, DatabaseConfig],
        }),
      ],
      providers: [DatabaseReadinessCheck],
    };
  }
}
