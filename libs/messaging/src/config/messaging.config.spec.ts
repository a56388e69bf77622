import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsOf, undocumentedSettings } from '@platform/config';
import { MessagingConfig } from './messaging.config';

describe('settings documentation', () => {
  it('the README documents every setting with its default', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(undocumentedSettings(readme, [MessagingConfig].flatMap(settingsOf))).toEqual([]);
  });
});
