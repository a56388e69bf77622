import 'reflect-metadata';
import { runMigrationsCli } from '@platform/service-kit';
import { notificationServiceDatabase } from './database/database.options';

runMigrationsCli((databaseUrl) => notificationServiceDatabase(databaseUrl));
