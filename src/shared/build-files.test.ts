// Which build runs, and where a build keeps its second entry point and its file imports.
import { describe, expect, it } from 'bun:test';
import { assetPath, runningBuild, secondEntry } from './build-files';

const SOURCES = new URL('file:///checkout/src/chat/model-worker/worker-entry.ts');
const WORKER = 'chat/model-worker/worker-entry.ts';

describe('build files', () => {
  it('tells the binary by its main entry and the bundle by what its build defined', () => {
    expect(runningBuild('/$bunfs/root/mini-openclaw', false)).toBe('binary');
    expect(runningBuild('/srv/app/dist/bundles/0123456789abcdef/main.js', true)).toBe('bundle');
    expect(runningBuild('/checkout/src/main.ts', false)).toBe('sources');
    // A .js entry that is not the bundle (a wrapper script, another build) runs as the sources do.
    expect(runningBuild('/srv/app/wrapper.js', false)).toBe('sources');
    // The tests run from the sources: nothing defined the bundle's name.
    expect(runningBuild()).toBe('sources');
  });

  it('finds a second entry point beside the main entry of a build, and in the sources where it is', () => {
    expect(secondEntry(WORKER, SOURCES, '/$bunfs/root/mini-openclaw', false).href).toBe(
      'file:///$bunfs/root/chat/model-worker/worker-entry.ts',
    );
    expect(secondEntry(WORKER, SOURCES, '/srv/app/dist/bundles/0123456789abcdef/main.js', true).href).toBe(
      'file:///srv/app/dist/bundles/0123456789abcdef/chat/model-worker/worker-entry.js',
    );
    expect(secondEntry(WORKER, SOURCES, '/checkout/src/main.ts', false)).toBe(SOURCES);
    expect(secondEntry(WORKER, SOURCES, '/srv/app/wrapper.js', false)).toBe(SOURCES);
  });

  it("resolves a bundle's relative asset path against the bundle's folder, not the working folder", () => {
    expect(assetPath('./swagger-ui-bundle-abc.js', '/srv/app/dist/bundles/0123456789abcdef/main.js')).toBe(
      '/srv/app/dist/bundles/0123456789abcdef/swagger-ui-bundle-abc.js',
    );
    expect(assetPath('/$bunfs/root/swagger-ui-bundle-abc.js', '/$bunfs/root/mini-openclaw')).toBe(
      '/$bunfs/root/swagger-ui-bundle-abc.js',
    );
    expect(assetPath('/checkout/node_modules/x.js', '/checkout/src/main.ts')).toBe('/checkout/node_modules/x.js');
  });
});
