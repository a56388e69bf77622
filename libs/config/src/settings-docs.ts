import type { SettingsClass } from './load-config';
import { getMetadataStorage } from 'class-validator';

/** A setting as its README documents it: the variable and its default (`—` when it has none). */
export interface SettingDoc {
  name: string;
  defaultValue: string;
}

function formatDefault(value: unknown): string {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return '—';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Every setting of a class (own and inherited), read from its validation rules and its defaults. */
export function settingsOf(settingsClass: SettingsClass): SettingDoc[] {
  const defaults = new settingsClass() as Record<string, unknown>;
  const names = new Set(getMetadataStorage().getTargetValidationMetadatas(settingsClass, '', true, false).map((metadata) => metadata.propertyName));
  return [...names].map((name) => ({ name, defaultValue: formatDefault(defaults[name]) }));
}

/** The settings a class adds to its base class, or whose default it changes. */
export function ownSettingsOf(settingsClass: SettingsClass, base: SettingsClass): SettingDoc[] {
  const inherited = new Map(settingsOf(base).map((setting) => [setting.name, setting.defaultValue]));
  return settingsOf(settingsClass).filter((setting) => inherited.get(setting.name) !== setting.defaultValue);
}

/**
 * Settings a README does not document as a table row `` | `NAME` | `default` | … `` (`—` for none),
 * as `NAME (default …)`. Empty when the README is complete.
 */
export function undocumentedSettings(markdown: string, settings: SettingDoc[]): string[] {
  const rows = new Set(markdown.split('\n').map((line) => /^\|\s*`(\w+)`\s*\|\s*`?([^|`]*?)`?\s*\|/.exec(line)).filter((match) => match !== null).map((match) => `${match[1]}=${match[2].trim()}`));
  return settings.filter((setting) => !rows.has(`${setting.name}=${setting.defaultValue}`)).map((setting) => `${setting.name} (default ${setting.defaultValue})`);
}
