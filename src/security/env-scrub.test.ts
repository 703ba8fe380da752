import { describe, expect, it } from 'bun:test';
import { isSecretName, looksSecretValue, scrubEnvironment } from './env-scrub';

describe('env scrub', () => {
  it('recognises secrets by name and by value', () => {
    expect(looksSecretValue('sk-proj-AbCdEf0123456789xyz')).toBe(true);
    expect(looksSecretValue('github_pat_11ABCDEFG0123456789')).toBe(true);
    const names = [
      'OPENAI_API_KEY',
      'GITHUB_TOKEN',
      'CLIENT_SECRET',
      'DB_PASSWORD',
      'SMTP_PASS',
      'DATABASE_URL',
      'AWS_REGION',
      'LLM_BASE_URL',
      'APP_DATA_DIR',
    ];
    expect(names.filter((name) => !isSecretName(name))).toEqual([]);
    expect(['LANG', 'TZ', 'HOME', 'EDITOR'].filter(isSecretName)).toEqual([]);
    expect(
      ['postgres://u:p@db/x', 'sk-abcdefghijkl', 'Bearer abcdefghijk', 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3'].every(
        looksSecretValue,
      ),
    ).toBe(true);
    expect(['en_US.UTF-8', 'Europe/Paris', 'https://example.com/path'].some(looksSecretValue)).toBe(false);
  });

  it('builds the environment from nothing, copying only harmless locale variables', () => {
    const env = scrubEnvironment(
      { LANG: 'de_DE.UTF-8', TZ: 'sk-abcdefghijklmnop', OPENAI_API_KEY: 'x', PATH: '/opt/evil' },
      { home: '/agents/a' },
    );
    expect(env).toEqual({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: '/agents/a',
      TMPDIR: '/tmp',
      TERM: 'dumb',
      LANG: 'de_DE.UTF-8',
    });
  });
});
