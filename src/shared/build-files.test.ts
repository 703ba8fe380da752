import { describe, expect, it } from 'bun:test';
import { assetPath, runningBuild, secondEntry } from './build-files';

const SOURCES = new URL('file:///checkout/src/chat/model-worker/worker-entry.ts');
const WORKER = 'chat/model-worker/worker-entry.ts';

describe('build files', () => {
  it('tells the binary, the bundle and the sources apart by the main entry', () => {
    expect(runningBuild('/$bunfs/root/mini-openclaw')).toBe('binary');
    expect(runningBuild('/srv/app/dist/bundle/main.js')).toBe('bundle');
    expect(runningBuild('/checkout/src/main.ts')).toBe('sources');
    expect(runningBuild('/checkout/test/integration/chat/turns.test.ts')).toBe('sources');
  });

  it('finds a second entry point beside the main entry of a build, and in the sources where it is', () => {
    expect(secondEntry(WORKER, SOURCES, '/$bunfs/root/mini-openclaw').href).toBe(
      'file:///$bunfs/root/chat/model-worker/worker-entry.ts',
    );
    expect(secondEntry(WORKER, SOURCES, '/srv/app/dist/bundle/main.js').href).toBe(
      'file:///srv/app/dist/bundle/chat/model-worker/worker-entry.js',
    );
    expect(secondEntry(WORKER, SOURCES, '/checkout/src/main.ts')).toBe(SOURCES);
  });

  it("resolves a bundle's relative asset path against the bundle's folder, not the working folder", () => {
    expect(assetPath('./swagger-ui-bundle-abc.js', '/srv/app/dist/bundle/main.js')).toBe(
      '/srv/app/dist/bundle/swagger-ui-bundle-abc.js',
    );
    expect(assetPath('/$bunfs/root/swagger-ui-bundle-abc.js', '/$bunfs/root/mini-openclaw')).toBe(
      '/$bunfs/root/swagger-ui-bundle-abc.js',
    );
    expect(assetPath('/checkout/node_modules/x.js', '/checkout/src/main.ts')).toBe('/checkout/node_modules/x.js');
  });
});
