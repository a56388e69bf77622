import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, ownSettingsOf, undocumentedSettings } from '@platform/config';
import { BaseServiceConfig } from '@platform/service-kit';
import { NOTIFICATION_SERVICE_SETTINGS, NotificationServiceConfig } from './notification-service.config';

describe('notification-service settings', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('are documented in its README with their defaults', () => {
    expect(undocumentedSettings(readme, ownSettingsOf(NotificationServiceConfig, BaseServiceConfig))).toEqual([]);
  });

  it('name every settings class of a lib it reads, with a link to where they are documented', () => {
    expect(['BaseServiceConfig', 'TelemetryConfig', ...NOTIFICATION_SERVICE_SETTINGS.map((settings) => settings.name)].filter((name) => !readme.includes(`[\`${name}\`](`))).toEqual([]);
  });

  it('require SMTP_URL, an smtp:// or smtps:// URL (compose: Mailpit; Kubernetes: a Secret with credentials)', () => {
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(NotificationServiceConfig, env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.filter((problem) => problem.includes('SMTP_URL'));
      }
    };
    expect(problems({})).toHaveLength(1);
    expect(problems({ SMTP_URL: 'mailpit:1025' })).toHaveLength(1);
    expect(problems({ SMTP_URL: 'http://mailpit:1025' })).toHaveLength(1);
    expect(problems({ SMTP_URL: 'smtp://mailpit:1025' })).toEqual([]);
    expect(problems({ SMTP_URL: 'smtps://user:p%40ss@smtp.example.com:465' })).toEqual([]);
    expect(loadConfig(NotificationServiceConfig, { SMTP_URL: 'smtp://mailpit:1025' }).MAIL_FROM).toBe('Platform <notifications@platform.local>');
  });
});
