// Settings the real server refuses at start with exit code 2, naming the flag or variable, before it listens.
import { describe, expect, it } from 'bun:test';
import { startOutcome } from '../../support/start-outcome';

describe('mini-openclaw serve, refusing bad settings', () => {
  it('refuses a port in another base or with an exponent instead of binding the port Number() reads', async () => {
    for (const port of ['0x50', '1e3', '0b11111']) {
      const outcome = await startOutcome(['--port', port]);
      expect(outcome).toEqual({ kind: 'exited', code: 2, stderr: expect.stringContaining(`--port must be 0-65535`) });
    }
  });

  it('refuses integer variables that are not decimal digits, naming each', async () => {
    const outcome = await startOutcome([], {
      APP_PORT: '1e3',
      APP_RATE_LIMIT_CHAT: '0x10',
      APP_DATABASE_POOL_SIZE: '0b11',
    });
    expect(outcome.kind === 'exited' && outcome.code).toBe(2);
    const stderr = outcome.kind === 'exited' ? outcome.stderr : '';
    expect(stderr).toContain('APP_PORT must be an integer from 0 to 65535 in decimal digits, got "1e3"');
    expect(stderr).toContain('APP_RATE_LIMIT_CHAT must be an integer from 1 to 1000000 in decimal digits, got "0x10"');
    expect(stderr).toContain('APP_DATABASE_POOL_SIZE must be an integer from 1 to 1000 in decimal digits, got "0b11"');
  });

  it('refuses a model base URL without its scheme instead of failing every chat with 502', async () => {
    const outcome = await startOutcome([], { LLM_BASE_URL: '127.0.0.1:18999/v1', LLM_MODEL: 'm', LLM_API_KEY: 'k' });
    expect(outcome).toEqual({
      kind: 'exited',
      code: 2,
      stderr: expect.stringContaining('LLM_BASE_URL must be an http:// or https:// URL with a host'),
    });
  });

  it('refuses a trusted host with a port instead of answering every request, /api/health too, with 400', async () => {
    const outcome = await startOutcome([], { APP_TRUSTED_HOSTS: 'localhost:27270,127.0.0.1' });
    expect(outcome).toEqual({
      kind: 'exited',
      code: 2,
      stderr: expect.stringContaining('APP_TRUSTED_HOSTS must be host names as the Host header carries them'),
    });
  });

  it('refuses an allowed origin no Origin header can equal', async () => {
    const outcome = await startOutcome([], { APP_ALLOWED_ORIGINS: 'http://app.example.com/app' });
    expect(outcome).toEqual({
      kind: 'exited',
      code: 2,
      stderr: expect.stringContaining('APP_ALLOWED_ORIGINS must be origins, scheme://host[:port] without a path'),
    });
  });

  it('refuses unreadable model overrides and a tracing switch that is neither on nor off, naming both', async () => {
    const outcome = await startOutcome([], { TOOL_LOOP_MODEL_OVERRIDES: '{"gpt-4o": ', OBS_TRACING_ENABLED: 'maybe' });
    expect(outcome.kind === 'exited' && outcome.code).toBe(2);
    const stderr = outcome.kind === 'exited' ? outcome.stderr : '';
    expect(stderr).toContain('TOOL_LOOP_MODEL_OVERRIDES must be a JSON object of model names');
    expect(stderr).toContain('OBS_TRACING_ENABLED must be true or false (also 1/0, yes/no, on/off), got "maybe"');
  });

  it('refuses a config.json that is not JSON, naming the file', async () => {
    const outcome = await startOutcome([], {}, { 'config.json': '{"rag_mode": ' });
    expect(outcome.kind === 'exited' && outcome.code).toBe(1);
    const stderr = outcome.kind === 'exited' ? outcome.stderr : '';
    expect(stderr).toMatch(/mini-openclaw failed to start: Invalid \S+\/data\/config\.json: .*not valid JSON/);
  });

  // Its key walk recursed: 100,000 levels ended the start in "RangeError: Maximum call stack size exceeded".
  it('refuses a config.json nested deeper than 64 levels, naming the file', async () => {
    const deep = `{"rag_mode": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const outcome = await startOutcome([], {}, { 'config.json': deep });
    expect(outcome.kind === 'exited' && outcome.code).toBe(1);
    const stderr = outcome.kind === 'exited' ? outcome.stderr : '';
    expect(stderr).toMatch(
      /mini-openclaw failed to start: Invalid \S+\/data\/config\.json: .*Nests deeper than 64 levels/,
    );
  });
});
