import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownSettingsOf, undocumentedSettings } from '@platform/config';
import { BaseServiceConfig } from '@platform/service-kit';
import { USER_SERVICE_SETTINGS, UserServiceConfig } from './user-service.config';

describe('user-service settings', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('are documented in its README with their defaults', () => {
    expect(undocumentedSettings(readme, ownSettingsOf(UserServiceConfig, BaseServiceConfig))).toEqual([]);
  });

  it('name every settings class of a lib it reads, with a link to where they are documented', () => {
    expect(['BaseServiceConfig', 'TelemetryConfig', ...USER_SERVICE_SETTINGS.map((settings) => settings.name)].filter((name) => !readme.includes(`[\`${name}\`](`))).toEqual([]);
  });
});
