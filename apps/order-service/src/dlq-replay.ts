import 'reflect-metadata';
import { runDeadLetterReplayCli } from '@platform/messaging';
import { ORDER_SERVICE } from './service';

runDeadLetterReplayCli(ORDER_SERVICE);
