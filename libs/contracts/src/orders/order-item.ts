import { IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { ORDER_LIMITS, SKU_MAX_LENGTH, SKU_PATTERN } from './order-limits';

/** Order line as carried in events: integer minor units, like the public API. */
export class OrderItemV1 {
  @IsString()
  @Length(1, SKU_MAX_LENGTH)
  @Matches(SKU_PATTERN)
  sku: string;

  @IsInt()
  @Min(ORDER_LIMITS.minQuantity)
  @Max(ORDER_LIMITS.maxQuantity)
  quantity: number;

  @IsInt()
  @Min(ORDER_LIMITS.minUnitPrice)
  @Max(ORDER_LIMITS.maxUnitPrice)
  unitPrice: number;
}
