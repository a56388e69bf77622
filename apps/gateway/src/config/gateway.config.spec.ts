import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, ownSettingsOf, undocumentedSettings } from '@platform/config';
import { BaseServiceConfig } from '@platform/service-kit';
import { GATEWAY_SETTINGS, GatewayConfig } from './gateway.config';

describe('gateway settings', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('are documented in its README with their defaults', () => {
    expect(undocumentedSettings(readme, ownSettingsOf(GatewayConfig, BaseServiceConfig))).toEqual([]);
  });

  it('name every settings class of a lib it reads, with a link to where they are documented', () => {
    expect(['BaseServiceConfig', 'TelemetryConfig', ...GATEWAY_SETTINGS.map((settings) => settings.name)].filter((name) => !readme.includes(`[\`${name}\`](`))).toEqual([]);
  });

  describe('CORS_ORIGINS', () => {
    const upstreams = { PORT: '3000', USER_SERVICE_URL: 'http://u', ORDER_SERVICE_URL: 'http://o', NOTIFICATION_SERVICE_URL: 'http://n' };

    it('is empty by default: no browser origin is allowed', () => {
      expect(loadConfig(GatewayConfig, upstreams).CORS_ORIGINS).toEqual([]);
    });

    it('reads exact origins, comma-separated', () => {
      expect(loadConfig(GatewayConfig, { ...upstreams, CORS_ORIGINS: 'https://app.example.com, http://localhost:5173,http://[::1]:8080' }).CORS_ORIGINS).toEqual([
        'https://app.example.com',
        'http://localhost:5173',
        'http://[::1]:8080',
      ]);
    });

    it.each(['*', 'https://*.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'app.example.com', 'https://App.example.com', 'ftp://app.example.com'])(
      'refuses %s at start-up: a browser sends an origin exactly, and a pattern would allow more than meant',
      (origin) => {
        expect(() => loadConfig(GatewayConfig, { ...upstreams, CORS_ORIGINS: `https://ok.example.com,${origin}` })).toThrow(ConfigError);
      },
    );
  });
});
