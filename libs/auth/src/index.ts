export * from './access-token';
export * from './auth.decorators';
export * from './auth.guard';
export * from './auth.module';
export * from './authenticated-user';
export * from './token-kind';
export * from './token-verifier';
export * from './token.config';
