import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

/** Start-up fails with this when the environment does not satisfy a service's config class. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const loaded = new Map<ClassConstructor<object>, object>();

/**
 * Reads and validates the environment into a typed config object, once per class. This is the
 * only place in the platform that reads `process.env`.
 */
export function loadConfig<T extends object>(configClass: ClassConstructor<T>, env: NodeJS.ProcessEnv = process.env): T {
  const cached = loaded.get(configClass);
  if (cached && env === process.env) return cached as T;
  const config = plainToInstance(configClass, { ...env }, { enableImplicitConversion: true, excludeExtraneousValues: false });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? { invalid: 'is invalid' }).join(', ')}`));
  }
  if (env === process.env) loaded.set(configClass, config);
  return config;
}
