import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

/** Start-up fails with this when the environment does not satisfy a settings class. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type SettingsClass<T extends object = object> = ClassConstructor<T>;

const loaded = new Map<SettingsClass, object>();

function read<T extends object>(settingsClass: SettingsClass<T>, env: NodeJS.ProcessEnv): { settings: T; problems: string[] } {
  const settings = plainToInstance(settingsClass, { ...env }, { enableImplicitConversion: true, excludeExtraneousValues: false });
  const errors = validateSync(settings, { whitelist: true, forbidUnknownValues: true });
  return { settings, problems: errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? { invalid: 'is invalid' }).join(', ')}`) };
}

/**
 * Reads and validates the environment into a typed settings object, once per class. This is the
 * only place in the platform that reads `process.env`.
 */
export function loadConfig<T extends object>(settingsClass: SettingsClass<T>, env: NodeJS.ProcessEnv = process.env): T {
  return loadSettings([settingsClass], env).get(settingsClass) as T;
}

/**
 * Loads several settings classes at once and reports every problem of every class in one
 * ConfigError, so an operator fixes a deployment in one round.
 */
export function loadSettings(settingsClasses: readonly SettingsClass[], env: NodeJS.ProcessEnv = process.env): Map<SettingsClass, object> {
  const result = new Map<SettingsClass, object>();
  const problems = new Set<string>();
  for (const settingsClass of settingsClasses) {
    const cached = env === process.env ? loaded.get(settingsClass) : undefined;
    if (cached) {
      result.set(settingsClass, cached);
      continue;
    }
    const { settings, problems: own } = read(settingsClass, env);
    own.forEach((problem) => problems.add(problem));
    result.set(settingsClass, settings);
  }
  if (problems.size > 0) throw new ConfigError([...problems]);
  if (env === process.env) result.forEach((settings, settingsClass) => loaded.set(settingsClass, settings));
  return result;
}
