import 'reflect-metadata';
export * from './load-config';
export * from './setting-decorators';
export * from './settings-docs';
