import { describe, expect, it } from 'bun:test';
import { EnvError, isLoopbackHost, readEnvSettings } from './env';
import { DEFAULT_ALLOWED_ORIGINS, DEFAULT_TRUSTED_HOSTS } from './env.types';

describe('readEnvSettings', () => {
  it('gives every default on an empty environment', () => {
    expect(readEnvSettings({})).toEqual({
      host: '127.0.0.1',
      port: 8002,
      dataDir: './storage',
      allowedOrigins: DEFAULT_ALLOWED_ORIGINS,
      trustedHosts: DEFAULT_TRUSTED_HOSTS,
      trustedProxies: [],
      logLevel: 'info',
      apiToken: '',
      maxOpenAgents: null,
      warmStart: true,
      modelWorkers: 0,
      indexDir: null,
      rateLimit: { enabled: true, chat: 60, tokens: 120, files: 120, windowSeconds: 60 },
      rejoinStreams: { perRun: 32, total: 1000 },
      database: { url: null, poolSize: 10, leaseSeconds: 15 },
      llm: { baseUrl: '', apiKey: '', model: '', source: 'none', toolLoopModel: '', toolLoopModelOverrides: '' },
      embedding: {
        provider: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        apiKey: '',
        model: 'text-embedding-3-small',
        googleApiKey: '',
        googleModel: 'gemini-embedding-001',
      },
      tracing: {
        obsTracingEnabled: undefined,
        langsmithTracing: undefined,
        langchainTracingV2: undefined,
        langsmithProject: 'mini-openclaw',
      },
      sandboxIdentity: { uid: 65534, gid: 65534 },
    });
  });

  it('reads the APP_* variables, trimming values and splitting lists', () => {
    const settings = readEnvSettings({
      APP_HOST: ' 0.0.0.0 ',
      APP_PORT: '9001',
      APP_DATA_DIR: '/srv/moc',
      APP_ALLOWED_ORIGINS: 'https://a.example, https://b.example ,',
      APP_TRUSTED_HOSTS: 'moc.internal',
      APP_LOG_LEVEL: 'DEBUG',
      APP_API_TOKEN: 'secret-token',
      APP_RATE_LIMIT_ENABLED: 'off',
      APP_RATE_LIMIT_CHAT: '5',
      APP_RATE_LIMIT_TOKENS: '6',
      APP_RATE_LIMIT_FILES: '7',
      APP_MAX_OPEN_AGENTS: ' 40 ',
      APP_MAX_REJOIN_STREAMS_PER_RUN: '4',
      APP_MAX_REJOIN_STREAMS: '50',
    });
    expect(settings).toEqual(
      expect.objectContaining({
        host: '0.0.0.0',
        port: 9001,
        dataDir: '/srv/moc',
        allowedOrigins: ['https://a.example', 'https://b.example'],
        trustedHosts: ['moc.internal'],
        logLevel: 'debug',
        apiToken: 'secret-token',
        maxOpenAgents: 40,
        rateLimit: { enabled: false, chat: 5, tokens: 6, files: 7, windowSeconds: 60 },
        rejoinStreams: { perRun: 4, total: 50 },
      }),
    );
  });

  it('treats blank values as unset', () => {
    expect(readEnvSettings({ APP_PORT: '  ', APP_HOST: '', APP_ALLOWED_ORIGINS: ' , ' })).toEqual(
      expect.objectContaining({ port: 8002, host: '127.0.0.1', allowedOrigins: DEFAULT_ALLOWED_ORIGINS }),
    );
  });

  it('prefers LLM_* and falls back to DEEPSEEK_* one variable at a time', () => {
    const deepseekOnly = readEnvSettings({
      DEEPSEEK_API_KEY: 'dk',
      DEEPSEEK_BASE_URL: 'http://127.0.0.1:1/v1',
      DEEPSEEK_MODEL: 'deepseek-chat',
    });
    expect(deepseekOnly.llm).toEqual({
      baseUrl: 'http://127.0.0.1:1/v1',
      apiKey: 'dk',
      model: 'deepseek-chat',
      source: 'DEEPSEEK',
      toolLoopModel: '',
      toolLoopModelOverrides: '',
    });
    const mixed = readEnvSettings({
      LLM_MODEL: 'gpt-x',
      DEEPSEEK_API_KEY: 'dk',
      DEEPSEEK_MODEL: 'deepseek-chat',
      TOOL_LOOP_MODEL: 'small',
      TOOL_LOOP_MODEL_OVERRIDES: 'agent-a=tiny',
    });
    expect(mixed.llm).toEqual({
      baseUrl: '',
      apiKey: 'dk',
      model: 'gpt-x',
      source: 'LLM',
      toolLoopModel: 'small',
      toolLoopModelOverrides: 'agent-a=tiny',
    });
  });

  it('prefers EMBEDDING_* and falls back to OPENAI_*', () => {
    expect(readEnvSettings({ OPENAI_BASE_URL: 'http://127.0.0.1:2/v1', OPENAI_API_KEY: 'ok' }).embedding).toEqual(
      expect.objectContaining({ baseUrl: 'http://127.0.0.1:2/v1', apiKey: 'ok' }),
    );
    const both = readEnvSettings({
      EMBEDDING_PROVIDER: 'Google_AI_Studio',
      EMBEDDING_BASE_URL: 'http://127.0.0.1:3/v1',
      EMBEDDING_API_KEY: 'ek',
      EMBEDDING_MODEL: 'embed-small',
      OPENAI_BASE_URL: 'http://127.0.0.1:2/v1',
      OPENAI_API_KEY: 'ok',
      GOOGLE_API_KEY: 'gk',
      GOOGLE_EMBEDDING_MODEL: 'g-embed',
    });
    expect(both.embedding).toEqual({
      provider: 'google_ai_studio',
      baseUrl: 'http://127.0.0.1:3/v1',
      apiKey: 'ek',
      model: 'embed-small',
      googleApiKey: 'gk',
      googleModel: 'g-embed',
    });
  });

  it('passes the tracing variables through untouched', () => {
    expect(
      readEnvSettings({
        OBS_TRACING_ENABLED: 'yes',
        LANGSMITH_TRACING: 'false',
        LANGCHAIN_TRACING_V2: 'true',
        LANGSMITH_PROJECT: 'p',
      }).tracing,
    ).toEqual({
      obsTracingEnabled: 'yes',
      langsmithTracing: 'false',
      langchainTracingV2: 'true',
      langsmithProject: 'p',
    });
  });

  it('reads APP_TRUSTED_PROXIES as IPv4 and IPv6 ranges, a bare address being a range of one', () => {
    expect(readEnvSettings({ APP_TRUSTED_PROXIES: ' 10.0.0.0/8, 127.0.0.1 ,fd00::/8,::1' }).trustedProxies).toEqual([
      { groups: [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0], bits: 104 },
      { groups: [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1], bits: 128 },
      { groups: [0xfd00, 0, 0, 0, 0, 0, 0, 0], bits: 8 },
      { groups: [0, 0, 0, 0, 0, 0, 0, 1], bits: 128 },
    ]);
  });

  it('refuses a malformed APP_TRUSTED_PROXIES, naming the variable', () => {
    for (const value of [
      '10.0.0.0/33',
      'proxy.internal',
      '10.0.0.0/8/1',
      '::1/129',
      '10.0.0.0/',
      '10.0.0.0/x',
      '300.1.1.1',
      '10.0.0.0/8, nope',
    ]) {
      let caught: unknown;
      try {
        readEnvSettings({ APP_TRUSTED_PROXIES: value });
      } catch (error) {
        caught = error;
      }
      expect((caught as EnvError).problems).toEqual([
        `APP_TRUSTED_PROXIES must be IP addresses or CIDR ranges separated by commas (such as 10.0.0.0/8, ::1), got "${value}"`,
      ]);
    }
  });

  it('lists every bad variable at once in one EnvError', () => {
    let caught: unknown;
    try {
      readEnvSettings({
        APP_PORT: '70000',
        APP_LOG_LEVEL: 'loud',
        APP_RATE_LIMIT_ENABLED: 'maybe',
        APP_RATE_LIMIT_CHAT: '0',
        APP_RATE_LIMIT_FILES: '1.5',
        APP_MAX_OPEN_AGENTS: '0',
        EMBEDDING_PROVIDER: 'cohere',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvError);
    const problems = (caught as EnvError).problems;
    expect(problems).toEqual([
      'APP_LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"',
      'EMBEDDING_PROVIDER must be openai, google_ai_studio or none, got "cohere"',
      'APP_PORT must be an integer from 0 to 65535 in decimal digits, got "70000"',
      'APP_MAX_OPEN_AGENTS must be an integer from 1 to 1000000 in decimal digits, got "0"',
      'APP_RATE_LIMIT_ENABLED must be true or false (also 1/0, yes/no, on/off), got "maybe"',
      'APP_RATE_LIMIT_CHAT must be an integer from 1 to 1000000 in decimal digits, got "0"',
      'APP_RATE_LIMIT_FILES must be an integer from 1 to 1000000 in decimal digits, got "1.5"',
    ]);
    for (const problem of problems) expect((caught as EnvError).message).toContain(problem);
  });

  it('reads the sandbox identity and refuses root or a non-number for it', () => {
    expect(readEnvSettings({ APP_SANDBOX_UID: '4000', APP_SANDBOX_GID: '4001' }).sandboxIdentity).toEqual({
      uid: 4000,
      gid: 4001,
    });
    expect(() => readEnvSettings({ APP_SANDBOX_UID: '0' })).toThrow('APP_SANDBOX_UID must be an integer from 1');
    expect(() => readEnvSettings({ APP_SANDBOX_GID: 'nobody' })).toThrow('APP_SANDBOX_GID must be an integer from 1');
  });

  it('reads APP_DATABASE_URL and APP_DATABASE_POOL_SIZE, either URL scheme', () => {
    expect(
      readEnvSettings({
        APP_DATABASE_URL: ' postgres://moc:s3cret-pass@db.internal:5432/moc ',
        APP_DATABASE_POOL_SIZE: '25',
        APP_DATABASE_LEASE_SECONDS: '5',
      }).database,
    ).toEqual({
      url: 'postgres://moc:s3cret-pass@db.internal:5432/moc',
      poolSize: 25,
      leaseSeconds: 5,
    });
    expect(readEnvSettings({ APP_DATABASE_URL: 'postgresql://db/moc' }).database).toEqual({
      url: 'postgresql://db/moc',
      poolSize: 10,
      leaseSeconds: 15,
    });
    expect(() => readEnvSettings({ APP_DATABASE_LEASE_SECONDS: '0' })).toThrow('APP_DATABASE_LEASE_SECONDS');
    expect(readEnvSettings({ APP_DATABASE_URL: 'postgres:///moc?host=/run/postgresql' }).database.url).toBe(
      'postgres:///moc?host=/run/postgresql',
    );
    expect(readEnvSettings({ APP_DATABASE_URL: '  ' }).database.url).toBeNull();
  });

  it('refuses a database URL that is not PostgreSQL without printing its password', () => {
    const cases: [string, string][] = [
      ['mysql://moc:s3cret-pass@db/moc', 'APP_DATABASE_URL must start with postgres:// or postgresql://'],
      ['s3cret-pass', 'APP_DATABASE_URL is not a URL (expected postgres://user:password@host:5432/database)'],
      [
        'postgres:///moc?password=s3cret-pass',
        'APP_DATABASE_URL names no host: add one, or ?host=/folder/of/the/socket (postgres:///moc?password=***)',
      ],
    ];
    for (const [value, problem] of cases) {
      let caught: unknown;
      try {
        readEnvSettings({ APP_DATABASE_URL: value });
      } catch (error) {
        caught = error;
      }
      expect((caught as EnvError).problems).toEqual([problem]);
      expect((caught as EnvError).message).not.toContain('s3cret-pass');
    }
    expect(() => readEnvSettings({ APP_DATABASE_POOL_SIZE: '0' })).toThrow(
      'APP_DATABASE_POOL_SIZE must be an integer from 1 to 1000 in decimal digits, got "0"',
    );
  });

  it('does not treat missing model keys as errors', () => {
    expect(() => readEnvSettings({ EMBEDDING_PROVIDER: 'none' })).not.toThrow();
  });
});

describe('isLoopbackHost', () => {
  it('recognises loopback spellings only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', 'localhost.example.com'])
      expect(isLoopbackHost(host)).toBe(false);
  });
});
