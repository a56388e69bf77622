import 'reflect-metadata';
import { runMigrationsCli } from '@platform/service-kit';
import { USER_SERVICE_DATA } from './database/database.options';
import { USER_SERVICE } from './service';

runMigrationsCli(USER_SERVICE, USER_SERVICE_DATA);
