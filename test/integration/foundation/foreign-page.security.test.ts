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

  it('cross-site reads have a rate limit of their own and do not spend the one the user needs', async () => {
    await using server = await startTestServer({ env: { APP_RATE_LIMIT_ENABLED: 'true', APP_RATE_LIMIT_FILES: '3' } });
    const foreign: number[] = [];
    for (const headers of [FROM_A_PAGE, { origin: 'https://evil.example' }, FROM_A_PAGE])
      for (let index = 0; index < 2; index += 1)
        foreign.push((await server.json('GET', '/api/files/index', undefined, headers)).status);
    // Limited still: the headers that mark a foreign read are anyone's to send, so they buy no way round the limit.
    expect(foreign).toEqual([200, 200, 200, 429, 429, 429]);
    const own: number[] = [];
    for (let index = 0; index < 4; index += 1) own.push((await server.json('GET', '/api/files/index')).status);
    expect(own).toEqual([200, 200, 200, 429]);
    const again = await server.json('GET', '/api/files/index', undefined, FROM_A_PAGE);
    expect(again.status).toBe(429);
  });
});
