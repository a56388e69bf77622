import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQuery } from '../common/page.query';

export class ListNotificationsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'true: only unread; false: only read; absent: all.' })
  @IsOptional()
  @Transform(({ obj, key }) => ({ true: true, false: false })[String((obj as Record<string, unknown>)[key])] ?? (obj as Record<string, unknown>)[key])
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}
