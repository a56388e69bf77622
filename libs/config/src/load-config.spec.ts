import { ArrayNotEmpty, IsBoolean, IsInt, IsString, Matches, Min } from 'class-validator';
import { BooleanFlag, CommaSeparated } from './setting-decorators';
import { ConfigError, loadConfig, loadSettings } from './load-config';
import { settingsOf, undocumentedSettings } from './settings-docs';

class ServerSettings {
  @IsInt()
  @Min(1)
  PORT: number = 3000;

  @BooleanFlag()
  @IsBoolean()
  VERBOSE: boolean = false;
}

class BrokerSettings {
  @CommaSeparated()
  @ArrayNotEmpty()
  @Matches(/^[^\s:]+:\d+$/, { each: true })
  BROKERS: string[];

  @IsString()
  @Matches(/^postgres:\/\//)
  DATABASE_URL: string;
}

describe('loadConfig', () => {
  it('converts and defaults settings', () => {
    const settings = loadConfig(ServerSettings, { VERBOSE: 'yes' });
    expect(settings).toEqual(Object.assign(new ServerSettings(), { PORT: 3000, VERBOSE: true }));
    expect(loadConfig(BrokerSettings, { BROKERS: 'kafka-0:9092, kafka-1:9092', DATABASE_URL: 'postgres://x' }).BROKERS).toEqual(['kafka-0:9092', 'kafka-1:9092']);
  });

  it('turns numbers given as text into numbers and refuses what is not one', () => {
    expect(loadConfig(ServerSettings, { PORT: '3002' }).PORT).toBe(3002);
    expect(() => loadConfig(ServerSettings, { PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig(ServerSettings, { VERBOSE: 'perhaps' })).toThrow(/VERBOSE/);
  });
});

describe('loadSettings', () => {
  it('reports every bad variable of every class in one error', () => {
    try {
      loadSettings([ServerSettings, BrokerSettings], { PORT: 'eighty', BROKERS: 'no-port', DATABASE_URL: 'mysql://x', VERBOSE: 'perhaps' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      for (const name of ['PORT', 'VERBOSE', 'BROKERS', 'DATABASE_URL']) expect((error as ConfigError).problems.join('\n')).toContain(name);
    }
  });

  it('names variables that are missing altogether', () => {
    expect(() => loadSettings([ServerSettings, BrokerSettings], {})).toThrow(/BROKERS[\s\S]*DATABASE_URL/);
  });
});

describe('settings documentation', () => {
  it('finds a README row per setting with its default, and names the ones missing', () => {
    const readme = ['| setting | default | meaning |', '|---|---|---|', '| `PORT` | `3000` | the port |', '| `VERBOSE` | `true` | wrong default |'].join('\n');
    expect(settingsOf(ServerSettings)).toEqual([
      { name: 'PORT', defaultValue: '3000' },
      { name: 'VERBOSE', defaultValue: 'false' },
    ]);
    expect(undocumentedSettings(readme, settingsOf(ServerSettings))).toEqual(['VERBOSE (default false)']);
    expect(undocumentedSettings('', settingsOf(BrokerSettings))).toEqual(['BROKERS (default —)', 'DATABASE_URL (default —)']);
  });
});
