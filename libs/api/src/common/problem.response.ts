import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorResponse {
  @ApiProperty({ example: 'items.0.quantity' })
  field: string;

  @ApiProperty({ example: 'quantity must not be greater than 1000' })
  message: string;
}

/** RFC 9457 problem details: the body of every 4xx and 5xx answer (`application/problem+json`). */
export class ProblemResponse {
  @ApiProperty({ example: 'https://platform.example.com/problems/bad-request' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request is not valid.' })
  detail: string;

  @ApiProperty({ example: '/api/v1/orders' })
  instance: string;

  @ApiPropertyOptional({ description: 'Stable machine-readable error code.', example: 'ORDER.NOT_FOUND' })
  code?: string;

  @ApiPropertyOptional({ description: 'W3C trace id of the request, to find it in Jaeger.', example: '4bf92f3577b34da6a3ce929d0e0e4736' })
  traceId?: string;

  @ApiPropertyOptional({ example: '0f8fad5b-d9cb-469f-a165-70867728950e' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldErrorResponse], description: 'Present on validation errors.' })
  errors?: FieldErrorResponse[];
}
