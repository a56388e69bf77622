import 'reflect-metadata';
import { runDeadLetterReplayCli } from '@platform/messaging';

runDeadLetterReplayCli('notification-service');
