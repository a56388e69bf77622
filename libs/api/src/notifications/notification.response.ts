import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const NOTIFICATION_TYPES = ['welcome', 'order-confirmed', 'order-rejected', 'order-cancelled', 'order-shipped', 'order-delivered'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export class NotificationResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: NOTIFICATION_TYPES })
  type: NotificationType;

  @ApiProperty({ example: 'Your order is confirmed' })
  title: string;

  @ApiProperty()
  body: string;

  @ApiPropertyOptional({ format: 'uuid' })
  orderId?: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  readAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class NotificationPageResponse {
  @ApiProperty({ type: [NotificationResponse] })
  items: NotificationResponse[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}
