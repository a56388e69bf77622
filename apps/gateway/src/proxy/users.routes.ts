import { Controller, Delete, Get, HttpCode, HttpStatus, Patch, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UpdateProfileRequest, UserProfileResponse } from '@platform/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblems } from '../docs/api-problems';
import { ProxyService } from './proxy.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me')
export class UsersRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Get()
  @ApiOperation({ summary: 'Get my profile', description: 'Carries an `ETag`; `If-None-Match` answers 304.' })
  @ApiOkResponse({ type: UserProfileResponse, description: 'The caller’s profile.' })
  @ApiProblems(404)
  profile(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Patch()
  @ApiOperation({ summary: 'Change my display name' })
  @ApiBody({ type: UpdateProfileRequest, examples: { rename: { summary: 'A new display name', value: { displayName: 'Ada King' } } } })
  @ApiOkResponse({ type: UserProfileResponse, description: 'The updated profile.' })
  @ApiProblems(404)
  update(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Erase my account', description: 'Erases the account and, through events, the user’s personal data in every service.' })
  @ApiProblems(404)
  @ApiNoContentResponse({ description: "The account is erased; the user's data in every service follows within seconds." })
  erase(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }
}
