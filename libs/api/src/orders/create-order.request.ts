import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { CURRENCY_PATTERN, ORDER_LIMITS, SKU_MAX_LENGTH, SKU_PATTERN } from '@platform/contracts';

export class OrderItemRequest {
  @ApiProperty({ example: 'SKU-1001', maxLength: SKU_MAX_LENGTH, pattern: SKU_PATTERN.source })
  @IsString()
  @Length(1, SKU_MAX_LENGTH)
  @Matches(SKU_PATTERN, { message: 'sku may contain letters, digits, dot, dash and underscore' })
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
  @Matches(CURRENCY_PATTERN, { message: 'currency must be three upper-case letters' })
  currency: string;

  @ApiProperty({ type: [OrderItemRequest], minItems: ORDER_LIMITS.minItems, maxItems: ORDER_LIMITS.maxItems })
  @IsArray()
  @ArrayMinSize(ORDER_LIMITS.minItems)
  @ArrayMaxSize(ORDER_LIMITS.maxItems)
  @ValidateNested({ each: true })
  @Type(() => OrderItemRequest)
  items: OrderItemRequest[];
}
