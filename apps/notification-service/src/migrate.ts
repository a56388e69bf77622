import 'reflect-metadata';
import { runMigrationsCli } from '@platform/service-kit';
import { NOTIFICATION_SERVICE_DATA } from './database/database.options';
import { NOTIFICATION_SERVICE } from './service';

runMigrationsCli(NOTIFICATION_SERVICE, NOTIFICATION_SERVICE_DATA);
