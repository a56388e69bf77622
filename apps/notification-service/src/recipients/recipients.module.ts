import { Module } from '@nestjs/common';
import { RecipientsService } from './recipients.service';

/** The users notification-service writes to: their address, and whether they were erased. */
@Module({ providers: [RecipientsService], exports: [RecipientsService] })
export class RecipientsModule {}
