// What another site's page can make a browser send must not spend the user's own lockout or rate limit.
import { describe, expect, it } from 'bun:test';
import { startTestServer } from '../../support/start-test-server';

const TOKEN = 'foreign-page-token';
/** What a page elsewhere makes the browser send with an image or a no-cors fetch: no Authorization, no preflight. */
const FROM_A_PAGE = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' };

describe('requests a foreign page can send', () => {
  it('without a token they are 401 but never lock the token holder out', async () => {
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN } });
    for (let index = 0; index < 12; index += 1) {
      const refused = await server.json('GET', '/api/sessions', undefined, FROM_A_PAGE);
      expect(refused.status).toBe(401);
    }
    const owner = await server.json('GET', '/api/sessions', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(owner.status).toBe(200);
    // A wrong token is still a guess, and still counts.
    for (let index = 0; index < 10; index += 1)
      await server.json('GET', '/api/sessions', undefined, { authorization: 'Bearer wrong' });
    expect((await server.json('GET', '/api/sessions', undefined, { authorization: `Bearer ${TOKEN}` })).status).toBe(
      429,
    );
  });

  it('cross-site reads are answered but not charged to the rate limit the user needs', async () => {
    await using server = await startTestServer({ env: { APP_RATE_LIMIT_ENABLED: 'true', APP_RATE_LIMIT_FILES: '3' } });
    for (let index = 0; index < 6; index += 1) {
      const read = await server.json('GET', '/api/files/index', undefined, FROM_A_PAGE);
      expect(read.status).toBe(200);
      const foreignOrigin = await server.json('GET', '/api/files/index', undefined, { origin: 'https://evil.example' });
      expect(foreignOrigin.status).toBe(200);
    }
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await server.json('GET', '/api/files/index')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
