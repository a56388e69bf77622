import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = Symbol('isPublic');

/** The route needs no access token (the auth guard lets it through). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
