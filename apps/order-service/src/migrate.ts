import 'reflect-metadata';
import { runMigrationsCli } from '@platform/service-kit';
import { ORDER_SERVICE_DATA } from './database/database.options';
import { ORDER_SERVICE } from './service';

runMigrationsCli(ORDER_SERVICE, ORDER_SERVICE_DATA);
