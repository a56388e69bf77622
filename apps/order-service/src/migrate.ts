import 'reflect-metadata';
import { runMigrationsCli } from '@platform/service-kit';
import { orderServiceDatabase } from './database/database.options';

runMigrationsCli((databaseUrl) => orderServiceDatabase(databaseUrl));
