import { expect, it } from 'bun:test';
import { describeWithPostgres } from '../../../test/support/postgres-database';
import { NUL_REPLACEMENT } from './nul-free';
import { openPostgresPool } from './postgres-pool';

describeWithPostgres('a pool without NUL in its text parameters', (database) => {
  it('stores NUL as U+FFFD through templates, row helpers, unsafe, transactions and reserved connections', async () => {
    await using sql = openPostgresPool({ url: database.url, poolSize: 2 });
    await sql`CREATE TABLE IF NOT EXISTS nul_probe (id serial PRIMARY KEY, body text NOT NULL)`;
    const text = 'a\u0000b';
    const kept = `a${NUL_REPLACEMENT}b`;
    await sql`INSERT INTO nul_probe (body) VALUES (${text})`;
    await sql`INSERT INTO nul_probe ${sql({ body: text })}`;
    await sql.unsafe('INSERT INTO nul_probe (body) VALUES ($1)', [text]);
    await sql.begin(async (tx) => {
      await tx`INSERT INTO nul_probe (body) VALUES (${text})`;
    });
    const reserved = await sql.reserve();
    try {
      await reserved`INSERT INTO nul_probe (body) VALUES (${text})`;
    } finally {
      reserved.release();
    }
    const rows: { body: string }[] = await sql`SELECT body FROM nul_probe ORDER BY id`;
    expect(rows.map((row) => row.body)).toEqual(Array(5).fill(kept));
    // Everything else goes as it was: numbers, nulls, dates, other text, JSON text (its NUL is an escape).
    const [row] = await sql`SELECT ${1}::int AS n, ${null}::text AS z, ${'plain'} AS t, ${JSON.stringify(text)} AS j`;
    expect(row).toEqual({ n: 1, z: null, t: 'plain', j: '"a\\u0000b"' });
  });
});
