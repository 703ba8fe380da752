import { describe, expect, it } from 'bun:test';
import { cachedChatModelUrls, forgetChatModels, sharedChatModel } from './model-cache';

const options = (temperature: number, streaming = true) => ({
  llm: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k', model: 'm' },
  model: 'm',
  runtime: { temperature, timeout_seconds: 60 },
  streaming,
});

describe('sharedChatModel', () => {
  it('gives the same client for the same settings and a new one when any setting differs', async () => {
    const first = await sharedChatModel(options(0.2));
    expect(await sharedChatModel(options(0.2))).toBe(first);
    expect(await sharedChatModel(options(0.3))).not.toBe(first);
    expect(await sharedChatModel(options(0.2, false))).not.toBe(first);
    expect(await sharedChatModel({ ...options(0.2), llm: { ...options(0.2).llm, apiKey: 'other' } })).not.toBe(first);
  });

  it('forgets the clients of an endpoint that is gone, and only those', async () => {
    const gone = await sharedChatModel(options(0.4));
    const elsewhere = { ...options(0.4), llm: { ...options(0.4).llm, baseUrl: 'http://127.0.0.1:10/v1' } };
    const kept = await sharedChatModel(elsewhere);
    forgetChatModels('http://127.0.0.1:9/v1');
    expect(cachedChatModelUrls()).not.toContain('http://127.0.0.1:9/v1');
    expect(cachedChatModelUrls()).toContain('http://127.0.0.1:10/v1');
    expect(await sharedChatModel(options(0.4))).not.toBe(gone);
    expect(await sharedChatModel(elsewhere)).toBe(kept);
  });

  it('keeps a bounded number: a client unused while 32 others were asked for is built anew', async () => {
    const first = await sharedChatModel(options(1.5));
    for (let index = 0; index < 32; index++) await sharedChatModel(options(index / 100));
    expect(await sharedChatModel(options(1.5))).not.toBe(first);
  });
});
