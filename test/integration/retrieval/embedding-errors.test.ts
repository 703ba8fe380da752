// An embedding provider's failure explanation is shown (status, log) masked and cut to 2,000 characters,
// the way a chat provider's is: a provider or proxy answering with a whole page does not fill every answer.
import { describe, expect, it } from 'bun:test';
import { createLogger } from '../../../src/shared/logger';
import { startRetrievalFixture } from '../../support/retrieval-fixture';

const SECRET = 'sk-live0123456789abcdefghij';
const HUGE = `quota exceeded for key ${SECRET}. ${'Your plan allows fewer requests. '.repeat(600)}END-OF-BODY`;

const SHOWN_START = 'embedding server answered 503: quota exceeded for key [REDACTED]. Your plan';

describe('embedding provider error text', () => {
  it('is masked and cut to 2,000 characters in the retrieval status, the reindex answer and the log', async () => {
    const lines: string[] = [];
    await using fixture = await startRetrievalFixture({
      overrides: { logger: createLogger('warn', (line) => lines.push(line)) },
    });
    fixture.model.failEmbeddings(503, HUGE);
    fixture.writeDirect('knowledge/cars.md', 'The automobile needs new tyres before winter.\n');
    await fixture.search('knowledge', 'automobile');

    const full = `embedding server answered 503: ${HUGE}`;
    const cut = (text: string | null) => ({
      start: text?.slice(0, SHOWN_START.length),
      length: text?.length,
      end: text?.slice(text.indexOf('…')),
      secret: text?.includes(SECRET),
      tail: text?.includes('END-OF-BODY'),
    });
    const expected = {
      start: SHOWN_START,
      // 2,000 characters kept, then how many more there were.
      length: 2000 + `… (${full.length - 2000} more characters)`.length,
      end: `… (${full.length - 2000} more characters)`,
      secret: false,
      tail: false,
    };
    const status = await fixture.status();
    expect(cut(status.embedding.last_error)).toEqual(expected);
    expect(cut(status.domains.knowledge.last_error)).toEqual(expected);

    const reindexed = await fixture.server.json('POST', '/api/retrieval/reindex');
    expect(reindexed.status).toBe(200);
    expect(cut(reindexed.body.data.embedding.last_error)).toEqual(expected);
    expect(cut(reindexed.body.data.domains.knowledge.last_error)).toEqual(expected);

    const warning = lines.find((line) => line.includes('embeddings unavailable'))!;
    expect(warning).toContain('quota exceeded for key [REDACTED]');
    expect([warning.includes(SECRET), warning.includes('END-OF-BODY'), warning.length < 2600]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('keeps a short explanation whole', async () => {
    await using fixture = await startRetrievalFixture();
    fixture.model.failEmbeddings(400, 'model fake-embed does not exist');
    fixture.writeDirect('knowledge/cars.md', 'The automobile needs new tyres.\n');
    await fixture.search('knowledge', 'automobile');
    expect((await fixture.status()).embedding.last_error).toBe(
      'embedding server answered 400: model fake-embed does not exist',
    );
  });
});
