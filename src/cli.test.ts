import { describe, expect, it } from 'bun:test';
import { HELP_TEXT, parseCli } from './cli';

describe('parseCli', () => {
  it('serves with no arguments, with or without the serve word', () => {
    expect(parseCli([])).toEqual({ kind: 'serve' });
    expect(parseCli(['serve'])).toEqual({ kind: 'serve' });
  });

  it('reads --host, --port and --data-dir as separate or inline values', () => {
    expect(parseCli(['serve', '--host', '0.0.0.0', '--port', '9000', '--data-dir', '/srv/data'])).toEqual({
      kind: 'serve',
      host: '0.0.0.0',
      port: 9000,
      dataDir: '/srv/data',
    });
    expect(parseCli(['--host=::1', '--port=0', '--data-dir=./x=y'])).toEqual({
      kind: 'serve',
      host: '::1',
      port: 0,
      dataDir: './x=y',
    });
  });

  it('lets --help and --version win wherever they stand', () => {
    expect(parseCli(['--help'])).toEqual({ kind: 'help' });
    expect(parseCli(['-h'])).toEqual({ kind: 'help' });
    expect(parseCli(['serve', '--port', '1', '--version'])).toEqual({ kind: 'version' });
    expect(parseCli(['-v'])).toEqual({ kind: 'version' });
  });

  it('refuses unknown arguments and missing values', () => {
    expect(parseCli(['--verbose'])).toEqual({ kind: 'error', message: 'Unknown argument: --verbose' });
    expect(parseCli(['start'])).toEqual({ kind: 'error', message: 'Unknown argument: start' });
    expect(parseCli(['--port'])).toEqual({ kind: 'error', message: '--port needs a value' });
    expect(parseCli(['--data-dir='])).toEqual({ kind: 'error', message: '--data-dir needs a value' });
  });

  it('refuses ports outside 0-65535 and non-integers', () => {
    for (const value of ['-1', '65536', '80.5', 'http', '']) {
      const result = parseCli([`--port=${value}`]);
      expect(result.kind).toBe('error');
    }
    expect(parseCli(['--port', '65536'])).toEqual({
      kind: 'error',
      message: '--port must be 0-65535 (decimal digits), got 65536',
    });
    expect(parseCli(['--port', '65535'])).toEqual({ kind: 'serve', port: 65535 });
  });

  it('reads a port only in decimal digits, refusing other bases and exponents Number() would read', () => {
    expect(parseCli(['--port', ' 8080 '])).toEqual({ kind: 'serve', port: 8080 });
    for (const value of ['0x50', '1e3', '0b11111', '0o17', '+80', '80.0']) {
      expect(parseCli(['--port', value])).toEqual({
        kind: 'error',
        message: `--port must be 0-65535 (decimal digits), got ${value}`,
      });
    }
  });

  it('documents every flag in the help text', () => {
    for (const flag of [
      '--host',
      '--port',
      '--data-dir',
      '--help',
      '--version',
      'APP_HOST',
      'APP_PORT',
      'APP_DATA_DIR',
    ]) {
      expect(HELP_TEXT).toContain(flag);
    }
  });
});

describe('parseCli: PostgreSQL', () => {
  const url = 'postgres://moc:hunter2@db.internal:5432/moc';

  it('reads --database-url for serve and for migrate, in both spellings', () => {
    expect(parseCli(['--database-url', url])).toEqual({ kind: 'serve', databaseUrl: url });
    expect(parseCli(['serve', `--database-url=${url}`, '--port', '0'])).toEqual({
      kind: 'serve',
      databaseUrl: url,
      port: 0,
    });
    expect(parseCli(['migrate', '--database-url', url])).toEqual({ kind: 'migrate', databaseUrl: url });
    expect(parseCli(['migrate'])).toEqual({ kind: 'migrate' });
    expect(parseCli(['migrate', '--help'])).toEqual({ kind: 'help' });
  });

  it('refuses a bad --database-url and flags migrate does not take, never echoing a password', () => {
    expect(parseCli(['migrate', '--database-url', 'mysql://moc:hunter2@db/moc'])).toEqual({
      kind: 'error',
      message: '--database-url must start with postgres:// or postgresql://',
    });
    expect(parseCli(['--database-url', 'postgres:///moc'])).toEqual({
      kind: 'error',
      message: '--database-url names no host: add one, or ?host=/folder/of/the/socket (postgres:///moc)',
    });
    expect(parseCli(['migrate', '--port', '1'])).toEqual({
      kind: 'error',
      message: '--port does not apply to migrate',
    });
    expect(parseCli(['migrate', url])).toEqual({
      kind: 'error',
      message: 'Unknown argument: a URL (the database URL goes after --database-url)',
    });
    expect(parseCli([`--databse-url=${url}`])).toEqual({ kind: 'error', message: 'Unknown argument: --databse-url' });
  });

  it('reads export and import with their file, data folder and database, and needs the file', () => {
    const url = 'postgres://moc:pw@db:5432/moc';
    expect(parseCli(['export', '--out', 'dump.jsonl', '--data-dir', 'data'])).toEqual({
      kind: 'export',
      file: 'dump.jsonl',
      dataDir: 'data',
    });
    expect(parseCli(['import', '--in=dump.jsonl', '--database-url', url])).toEqual({
      kind: 'import',
      file: 'dump.jsonl',
      databaseUrl: url,
    });
    expect(parseCli(['export'])).toEqual({ kind: 'error', message: 'export needs --out FILE' });
    expect(parseCli(['import', '--out', 'x'])).toEqual({ kind: 'error', message: '--out does not apply to import' });
    expect(parseCli(['export', '--port', '1'])).toEqual({ kind: 'error', message: '--port does not apply to export' });
  });

  it('documents migrate and the database settings in the help text', () => {
    for (const word of ['migrate', '--database-url', 'APP_DATABASE_URL', 'APP_DATABASE_POOL_SIZE'])
      expect(HELP_TEXT).toContain(word);
  });
});
