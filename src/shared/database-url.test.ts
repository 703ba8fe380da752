import { describe, expect, it } from 'bun:test';
import { checkDatabaseUrl, maskDatabaseUrl, maskSecretsIn } from './database-url';

describe('checkDatabaseUrl', () => {
  it('accepts postgres:// and postgresql:// with a host or a socket folder, trimmed', () => {
    expect(checkDatabaseUrl(' postgres://u:p@db:5432/moc ')).toEqual({ ok: true, url: 'postgres://u:p@db:5432/moc' });
    expect(checkDatabaseUrl('postgresql://[::1]/moc')).toEqual({ ok: true, url: 'postgresql://[::1]/moc' });
    expect(checkDatabaseUrl('postgres:///moc?socket=/run/postgresql')).toEqual({
      ok: true,
      url: 'postgres:///moc?socket=/run/postgresql',
    });
  });

  it('refuses other schemes and missing hosts, masking the password it shows', () => {
    expect(checkDatabaseUrl('sqlite://u:hunter2@x/moc.db')).toEqual({
      ok: false,
      problem: 'must start with postgres:// or postgresql://',
    });
    expect(checkDatabaseUrl('db:5432 hunter2')).toEqual({
      ok: false,
      problem: 'must start with postgres:// or postgresql://',
    });
    expect(checkDatabaseUrl('postgres:///moc')).toEqual({
      ok: false,
      problem: 'names no host: add one, or ?host=/folder/of/the/socket (postgres:///moc)',
    });
    expect(checkDatabaseUrl('hunter2')).toEqual({
      ok: false,
      problem: 'is not a URL (expected postgres://user:password@host:5432/database)',
    });
  });
});

describe('maskDatabaseUrl', () => {
  it('masks the password and secret query values, keeping the rest to recognise the target', () => {
    expect(maskDatabaseUrl('postgres://moc:hunter2@db:5432/moc?sslmode=require&sslpassword=k3y')).toBe(
      'postgres://moc:***@db:5432/moc?sslmode=require&sslpassword=***',
    );
    expect(maskDatabaseUrl('postgres://moc@db/moc')).toBe('postgres://moc@db/moc');
    expect(maskDatabaseUrl('not a url hunter2')).toBe('(unparsable URL)');
    expect(maskDatabaseUrl('db:5432 hunter2')).toBe('(not a PostgreSQL URL)');
  });
});

describe('maskSecretsIn', () => {
  it('masks the password as written and percent-decoded, and secret query values', () => {
    const url = 'postgres://moc:p%40ss%2Fw0rd@db/moc?password=other-secret';
    expect(maskSecretsIn('failed for p%40ss%2Fw0rd, p@ss/w0rd and other-secret', url)).toBe(
      'failed for ***, *** and ***',
    );
    expect(maskSecretsIn('nothing secret here', 'postgres://moc@db/moc')).toBe('nothing secret here');
  });
});
