import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { ORDER_LIMITS } from './order-limits';

export class OrderItemRequest {
  @ApiProperty({ example: 'SKU-1001', maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' })
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'sku may contain letters, digits, dot, dash and underscore' })
  sku: string;

  @ApiProperty({ minimum: ORDER_LIMITS.minQuantity, maximum: ORDER_LIMITS.maxQuantity, example: 2 })
  @IsInt()
  @Min(ORDER_LIMITS.minQuantity)
  @Max(ORDER_LIMITS.maxQuantity)
  quantity: number;

  @ApiProperty({ description: 'Price of one unit in minor units (cents).', minimum: ORDER_LIMITS.minUnitPrice, maximum: ORDER_LIMITS.maxUnitPrice, example: 1999 })
  @IsInt()
  @Min(ORDER_LIMITS.minUnitPrice)
  @Max(ORDER_LIMITS.maxUnitPrice)
  unitPrice: number;
}

export class CreateOrderRequest {
  @ApiProperty({ description: 'ISO 4217 code, three upper-case letters.', example: 'EUR' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be three upper-case letters' })
  currency: string;

  @ApiProperty({ type: [OrderItemRequest], minItems: ORDER_LIMITS.minItems, maxItems: ORDER_LIMITS.maxItems })
  @IsArray()
  @ArrayMinSize(ORDER_LIMITS.minItems)
  @ArrayMaxSize(ORDER_LIMITS.maxItems)
  @ValidateNested({ each: true })
  @Type(() => OrderItemRequest)
  items: OrderItemRequest[];
}
