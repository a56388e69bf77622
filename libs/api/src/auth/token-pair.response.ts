import { ApiProperty } from '@nestjs/swagger';

export class TokenPairResponse {
  @ApiProperty({ description: 'EdDSA-signed JWT (typ at+jwt), valid for `expiresIn` seconds.' })
  accessToken: string;

  @ApiProperty({ description: 'Opaque token for POST /auth/refresh; single use, rotated on every refresh.' })
  refreshToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ example: 900 })
  expiresIn: number;
}
