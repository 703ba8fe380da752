import { describe, expect, it } from 'bun:test';
import { stampedBodies } from './stamped-bodies';

const counting = () => {
  let builds = 0;
  return {
    build: (value: unknown) => async () => {
      builds += 1;
      return value;
    },
    get builds() {
      return builds;
    },
  };
};
const text = async (response: Promise<Response>) => (await response).text();

describe('stampedBodies', () => {
  it('keeps a body once two reads found one stamp, sends it while the stamp holds, and builds when it moves', async () => {
    const bodies = stampedBodies();
    const calls = counting();
    const first = await bodies.respond('k', 's1', calls.build({ data: [1] }));
    expect(first.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(await first.text()).toBe('{"data":[1]}');
    expect(bodies.keptChars).toBe(0);
    expect(await text(bodies.respond('k', 's1', calls.build({ data: [1] })))).toBe('{"data":[1]}');
    expect(bodies.keptChars).toBe(12);
    expect(await text(bodies.respond('k', 's1', calls.build({ data: [2] })))).toBe('{"data":[1]}');
    expect(calls.builds).toBe(2);
    expect(await text(bodies.respond('k', 's2', calls.build({ data: [2] })))).toBe('{"data":[2]}');
    expect(bodies.keptChars).toBe(0);
    expect(await text(bodies.respond('other', 's2', calls.build({ data: [3] })))).toBe('{"data":[3]}');
    expect(calls.builds).toBe(4);
  });

  it('keeps nothing for a list read once after each change, nor without a stamp', async () => {
    const bodies = stampedBodies();
    const calls = counting();
    for (const stamp of ['s1', 's2', 's3']) await bodies.respond('k', stamp, calls.build(stamp));
    expect(bodies.keptChars).toBe(0);
    await bodies.respond('k', 's3', calls.build('s3'));
    expect(bodies.keptChars).toBe(4);
    expect(await text(bodies.respond('k', null, calls.build('b')))).toBe('"b"');
    expect(await text(bodies.respond('k', null, calls.build('c')))).toBe('"c"');
    expect(bodies.keptChars).toBe(0);
    expect(calls.builds).toBe(6);
  });

  it('stays within its size: the least recently sent go first, and a body larger than all is not kept', async () => {
    const bodies = stampedBodies({ maxChars: 30 });
    const ten = (letter: string) => letter.repeat(8); // 10 characters with its quotes
    const twice = async (key: string, value: string) => {
      for (let read = 0; read < 2; read += 1) await bodies.respond(key, 's', async () => value);
    };
    for (const key of ['a', 'b', 'c']) await twice(key, ten(key));
    expect(bodies.keptChars).toBe(30);
    await bodies.respond('a', 's', async () => 'not built'); // sent again: now the most recent
    await twice('d', ten('d'));
    expect(bodies.keptChars).toBe(30);
    const calls = counting();
    expect(await text(bodies.respond('a', 's', calls.build('x')))).toBe(JSON.stringify(ten('a')));
    expect(await text(bodies.respond('b', 's', calls.build('rebuilt')))).toBe('"rebuilt"');
    expect(calls.builds).toBe(1);
    await twice('huge', 'y'.repeat(40));
    expect(bodies.keptChars).toBeLessThanOrEqual(30);
    expect(await text(bodies.respond('huge', 's', calls.build('small')))).toBe('"small"');
  });

  it('remembers a bounded number of keys, however many a client makes up', async () => {
    const bodies = stampedBodies({ maxKeys: 8 });
    for (let key = 0; key < 1000; key += 1) await bodies.respond(`once ${key}`, 's', async () => key);
    expect(bodies.keys).toBe(8);
    for (let key = 0; key < 1000; key += 1)
      for (let read = 0; read < 2; read += 1) await bodies.respond(`twice ${key}`, 's', async () => key);
    expect(bodies.keys).toBeLessThanOrEqual(16);
    // The most recent keys are the ones kept.
    let built = false;
    await bodies.respond('twice 999', 's', async () => {
      built = true;
      return 999;
    });
    expect(built).toBe(false);
  });
});
