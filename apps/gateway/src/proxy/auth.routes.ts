import { Controller, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { LoginRequest, RefreshTokenRequest, RegisterRequest, TokenPairResponse, UserProfileResponse } from '@platform/api';
import { Public } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProxyService } from './proxy.service';

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Post('register')
  @ApiBody({ type: RegisterRequest })
  @ApiCreatedResponse({ type: UserProfileResponse })
  register(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiBody({ type: LoginRequest })
  @ApiOkResponse({ type: TokenPairResponse })
  login(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiBody({ type: RefreshTokenRequest })
  @ApiOkResponse({ type: TokenPairResponse })
  refresh(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBody({ type: RefreshTokenRequest })
  @ApiNoContentResponse()
  logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }
}

@ApiTags('auth')
@Public()
@Controller('.well-known')
export class JwksRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Get('jwks.json')
  @ApiOkResponse({ description: 'JSON Web Key Set of the access-token signing keys.' })
  jwks(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }
}
