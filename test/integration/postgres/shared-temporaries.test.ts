// With a shared database the data folder is shared too: a replica's start leaves the temporaries of writes another
// replica may have under way, and removes only those old enough to be a crash's leftovers.
import { expect, it } from 'bun:test';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture } from '../../support/chat-fixture';
import { describeWithPostgres } from '../../support/postgres-database';
import { waitFor } from '../../support/scheduler-fixture';
import { makeTempDir } from '../../support/temp-dir';

describeWithPostgres('temporaries in a shared data folder', (database) => {
  it("are left to another replica's write under way, and swept once an hour old", async () => {
    using data = makeTempDir('moc-shared-temporaries-');
    const url = await database.cluster.createDatabase();
    // The young one first in name order, so the walk has passed it once the old one is gone.
    const young = join(data.path, '.moc-tmp-00000000000000a1');
    const old = join(data.path, '.moc-tmp-00000000000000b2');
    for (const [path, ageMs] of [
      [old, 60 * 60_000],
      [young, 60_000],
    ] as const) {
      writeFileSync(path, 'x');
      const seconds = (Date.now() - ageMs) / 1000;
      utimesSync(path, seconds, seconds);
    }
    await using _fixture = await startChatFixture({ dataDir: data.path, env: { APP_DATABASE_URL: url } });
    await waitFor(() => (existsSync(old) ? undefined : true));
    // A minute old: another replica's write may still be making it.
    expect(existsSync(young)).toBe(true);
  });
});
