import { Controller, Delete, Get, HttpCode, HttpStatus, Patch, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { UpdateProfileRequest, UserProfileResponse } from '@platform/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProxyService } from './proxy.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me')
export class UsersRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Get()
  @ApiOkResponse({ type: UserProfileResponse })
  profile(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Patch()
  @ApiBody({ type: UpdateProfileRequest })
  @ApiOkResponse({ type: UserProfileResponse })
  update(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: "The account is erased; the user's data in every service follows within seconds." })
  erase(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('user-service', request, reply);
  }
}
