// The form readEnvSettings accepts for each kind of value (env.test.ts covers the variables one by one).
import { describe, expect, it } from 'bun:test';
import { EnvError, readEnvSettings } from './env';

/** The problems readEnvSettings reports for `env`, or [] when it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    readEnvSettings(env);
    return [];
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
}

describe('readEnvSettings: integers', () => {
  it('reads decimal digits, with spaces around', () => {
    const settings = readEnvSettings({ APP_PORT: ' 9000 ', APP_RATE_LIMIT_CHAT: '0030', APP_MODEL_WORKERS: '2' });
    expect([settings.port, settings.rateLimit.chat, settings.modelWorkers]).toEqual([9000, 30, 2]);
  });

  it('refuses hex, binary, octal, exponents and signs, which Number() would read as other numbers', () => {
    for (const raw of ['0x50', '0b11111', '0o17', '1e3', '+80', '80.0']) {
      expect(problemsOf({ APP_PORT: raw })).toEqual([
        `APP_PORT must be an integer from 0 to 65535 in decimal digits, got "${raw}"`,
      ]);
    }
    expect(problemsOf({ APP_SANDBOX_UID: '0x3e8', APP_DATABASE_LEASE_SECONDS: '1e2' })).toEqual([
      'APP_DATABASE_LEASE_SECONDS must be an integer from 1 to 3600 in decimal digits, got "1e2"',
      'APP_SANDBOX_UID must be an integer from 1 to 4294967294 in decimal digits, got "0x3e8"',
    ]);
  });
});

describe('readEnvSettings: endpoint URLs', () => {
  it('reads http and https URLs with a host, falling back as before', () => {
    const settings = readEnvSettings({
      DEEPSEEK_BASE_URL: 'http://127.0.0.1:18999/v1',
      OPENAI_BASE_URL: ' https://x.test ',
    });
    expect([settings.llm.baseUrl, settings.embedding.baseUrl]).toEqual(['http://127.0.0.1:18999/v1', 'https://x.test']);
  });

  it('refuses a base URL without its scheme, or with another one, naming the variable read', () => {
    const hint = 'must be an http:// or https:// URL with a host (such as http://127.0.0.1:11434/v1)';
    expect(problemsOf({ LLM_BASE_URL: '127.0.0.1:18999/v1', EMBEDDING_BASE_URL: 'localhost:8080/v1' })).toEqual([
      `LLM_BASE_URL ${hint}, got "127.0.0.1:18999/v1"`,
      `EMBEDDING_BASE_URL ${hint}, got "localhost:8080/v1"`,
    ]);
    expect(problemsOf({ DEEPSEEK_BASE_URL: 'api.deepseek.com', OPENAI_BASE_URL: 'ftp://files.test/v1' })).toEqual([
      `DEEPSEEK_BASE_URL ${hint}, got "api.deepseek.com"`,
      `OPENAI_BASE_URL ${hint}, got "ftp://files.test/v1"`,
    ]);
  });
});

describe('readEnvSettings: trusted hosts', () => {
  it('reads names, lower-cased, and IPv6 addresses without brackets', () => {
    expect(readEnvSettings({ APP_TRUSTED_HOSTS: 'Moc.Example.com, *.example.com,[::1]' }).trustedHosts).toEqual([
      'moc.example.com',
      '*.example.com',
      '::1',
    ]);
  });

  it('refuses entries with a port or a scheme, naming them and the form expected', () => {
    expect(problemsOf({ APP_TRUSTED_HOSTS: 'localhost:27270,127.0.0.1,http://moc.example.com' })).toEqual([
      'APP_TRUSTED_HOSTS must be host names as the Host header carries them, without scheme or port (such as moc.example.com, *.example.com, 127.0.0.1, ::1 or *), got "localhost:27270, http://moc.example.com"',
    ]);
  });
});

describe('readEnvSettings: allowed origins', () => {
  it('reads origins in the form of the Origin header', () => {
    expect(
      readEnvSettings({ APP_ALLOWED_ORIGINS: 'http://app.example.com/, https://B.example.com:443' }).allowedOrigins,
    ).toEqual(['http://app.example.com', 'https://b.example.com']);
  });

  it('refuses entries with a path or without a scheme, naming them and the form expected', () => {
    expect(
      problemsOf({ APP_ALLOWED_ORIGINS: 'http://app.example.com/app,http://localhost:3000,app.example.com' }),
    ).toEqual([
      'APP_ALLOWED_ORIGINS must be origins, scheme://host[:port] without a path (such as https://app.example.com or http://localhost:3000), or *, got "http://app.example.com/app, app.example.com"',
    ]);
  });
});

describe('readEnvSettings: switches and overrides read elsewhere', () => {
  it('refuses a TOOL_LOOP_MODEL_OVERRIDES item it cannot read, naming it', () => {
    expect(readEnvSettings({ TOOL_LOOP_MODEL_OVERRIDES: 'a=b,' }).llm.toolLoopModelOverrides).toBe('a=b,');
    const form =
      'must be a JSON object of model names ({"from":"to"}) or from=to pairs separated by commas (from=to,from2=to2)';
    expect(problemsOf({ TOOL_LOOP_MODEL_OVERRIDES: 'a=b,gpt-4o:gpt-4o-mini' })).toEqual([
      `TOOL_LOOP_MODEL_OVERRIDES ${form}, got "gpt-4o:gpt-4o-mini"`,
    ]);
    expect(problemsOf({ TOOL_LOOP_MODEL_OVERRIDES: '{"a": "b",}' })).toEqual([
      `TOOL_LOOP_MODEL_OVERRIDES ${form}, got "{"a": "b",}"`,
    ]);
  });

  it('refuses an OBS_TRACING_ENABLED that is neither true nor false, and keeps the one that is', () => {
    expect(readEnvSettings({ OBS_TRACING_ENABLED: 'Yes' }).tracing.obsTracingEnabled).toBe('Yes');
    expect(problemsOf({ OBS_TRACING_ENABLED: 'maybe' })).toEqual([
      'OBS_TRACING_ENABLED must be true or false (also 1/0, yes/no, on/off), got "maybe"',
    ]);
  });
});
