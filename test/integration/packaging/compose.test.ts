// The compose.yaml example: PostgreSQL, the schema applied first, two replicas on one volume and database, a proxy over both.
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli } from '../../../src/cli';

const ROOT = join(import.meta.dir, '..', '..', '..');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}

const compose = Bun.YAML.parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const { services } = compose;

describe('compose.yaml', () => {
  it('runs two replicas of the image on the same database and the same data volume', () => {
    const replicas = ['replica-1', 'replica-2'].map((name) => services[name]!);
    for (const replica of replicas) {
      expect(replica.build).toBe('.');
      expect(replica.volumes).toEqual(['moc-data:/data']);
      expect(replica.environment?.APP_DATABASE_URL).toStartWith('postgres://moc:');
      expect(new URL(replica.environment!.APP_DATABASE_URL!.replace(/\$\{[^}]*\}/, 'pw')).hostname).toBe('postgres');
      expect(replica.depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } });
    }
    expect(replicas[1]).toEqual(replicas[0]!);
    expect(Object.keys(compose.volumes).sort()).toEqual(['moc-data', 'moc-postgres']);
  });

  it('applies the migrations with the image’s own migrate command once PostgreSQL is healthy', () => {
    const migrate = services.migrate!;
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(parseCli(migrate.command!)).toEqual({ kind: 'migrate' });
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toContain('ENTRYPOINT ["/usr/local/bin/mini-openclaw"]');
    expect(migrate.environment?.APP_DATABASE_URL).toBe(services['replica-1']!.environment!.APP_DATABASE_URL);
  });

  it('puts a proxy in front that sends requests to both replicas', () => {
    const proxy = services.proxy!;
    const targets = proxy.command!.flatMap((word, index) => (proxy.command![index - 1] === '--to' ? [word] : []));
    expect(targets).toEqual(['replica-1:8002', 'replica-2:8002']);
  });
});
