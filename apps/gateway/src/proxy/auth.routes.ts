import { Controller, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LoginRequest, RefreshTokenRequest, RegisterRequest, TokenPairResponse, UserProfileResponse } from '@platform/api';
import { Public } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblems } from '../docs/api-problems';
import { ProxyService } from './proxy.service';

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Post('register')
  @ApiOperation({ summary: 'Create an account', description: 'Email is stored lower-cased and unique regardless of case; the password is 8–128 characters.' })
  @ApiBody({ type: RegisterRequest, examples: { account: { summary: 'A new account', value: { email: 'ada@example.com', password: 'correct horse battery staple', displayName: 'Ada Lovelace' } } } })
  @ApiCreatedResponse({ type: UserProfileResponse, description: 'The account was created.' })
  @ApiProblems(409)
  register(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in', description: 'Returns an access token and a refresh token. Unknown email and wrong password answer the same 401.' })
  @ApiBody({ type: LoginRequest, examples: { credentials: { summary: 'Email and password', value: { email: 'ada@example.com', password: 'correct horse battery staple' } } } })
  @ApiOkResponse({ type: TokenPairResponse, description: 'A new token pair (`Cache-Control: no-store`).' })
  @ApiProblems(401)
  login(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Rotate a refresh token', description: 'Returns a new pair; the presented refresh token stops working. Presenting an already rotated token revokes its whole family.' })
  @ApiBody({ type: RefreshTokenRequest, examples: { refresh: { summary: 'The refresh token of the last login or refresh', value: { refreshToken: 'rt_3q2-7wYxJ8lQpZk0cV1mN4bR6tU9eA5sD2fG7hJ0kL1' } } } })
  @ApiOkResponse({ type: TokenPairResponse, description: 'A new token pair (`Cache-Control: no-store`).' })
  @ApiProblems(401)
  refresh(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Log out', description: 'Ends the session the refresh token belongs to (its whole token family).' })
  @ApiBody({ type: RefreshTokenRequest, examples: { logout: { summary: 'The refresh token of the session to end', value: { refreshToken: 'rt_3q2-7wYxJ8lQpZk0cV1mN4bR6tU9eA5sD2fG7hJ0kL1' } } } })
  @ApiNoContentResponse({ description: 'The session is over.' })
  @ApiProblems(401)
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
  @ApiOperation({ summary: 'Get the token signing keys', description: 'The public keys (JWK Set) that verify access tokens; served outside /api/v1.' })
  @ApiOkResponse({ description: 'JSON Web Key Set of the access-token signing keys.', schema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } } } })
  jwks(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }
}
