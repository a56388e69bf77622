import 'reflect-metadata';
import { runMigrationsCli } from '@platform/service-kit';
import { userServiceDatabase } from './database/database.options';

runMigrationsCli((databaseUrl) => userServiceDatabase(databaseUrl));
