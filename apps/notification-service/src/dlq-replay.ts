import 'reflect-metadata';
import { runDeadLetterReplayCli } from '@platform/messaging';
import { NOTIFICATION_SERVICE } from './service';

runDeadLetterReplayCli(NOTIFICATION_SERVICE);
