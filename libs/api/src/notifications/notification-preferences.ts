import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

/** PUT /notifications/preferences body and the answer of GET/PUT. */
export class NotificationPreferences {
  @ApiProperty({ description: 'Send each notification as an email too (default true). In-app notifications are always kept.', example: false })
  @IsBoolean({ message: 'email must be true or false' })
  email: boolean;
}

export class UnreadCountResponse {
  @ApiProperty({ description: 'Unread notifications of the caller.', example: 3, minimum: 0 })
  count: number;
}
