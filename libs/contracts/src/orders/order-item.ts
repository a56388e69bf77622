import { IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';

/** Order line as carried in events: integer minor units, like the public API. */
export class OrderItemV1 {
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
  sku: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  quantity: number;

  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  unitPrice: number;
}
