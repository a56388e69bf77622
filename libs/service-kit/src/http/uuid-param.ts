import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ValidationProblemException } from '../problem/validation';

/** A path parameter that must be a UUID; anything else is a 400 naming the parameter. */
export const UuidParam = (name: string): ParameterDecorator =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => new ValidationProblemException([{ field: name, message: `${name} must be a UUID` }]) }));
