import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ADMIN_SETTABLE_STATUSES, type AdminSettableStatus } from '@platform/contracts';

export class UpdateOrderStatusRequest {
  @ApiProperty({ enum: ADMIN_SETTABLE_STATUSES })
  @IsIn(ADMIN_SETTABLE_STATUSES)
  status: AdminSettableStatus;
}
