import { describe, expect, it } from 'bun:test';
import { toModelHistory } from './model-history';

describe('toModelHistory', () => {
  it('puts the summary first, merges assistant runs, keeps tool context and skips empty entries', () => {
    const history = toModelHistory(
      [
        { role: 'user', content: 'hi', createdAt: 1 },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ tool: 'read_file', input: { path: 'a' }, output: 'A' }],
          createdAt: 1,
        },
        { role: 'assistant', content: 'Done.', createdAt: 1 },
        { role: 'user', content: '  ', createdAt: 1 },
        { role: 'user', content: 'thanks', createdAt: 1 },
      ],
      ' earlier ',
    );
    expect(history.map((message) => [message.role, message.content])).toEqual([
      ['assistant', '[Summary of Earlier Conversation]\nearlier'],
      ['user', 'hi'],
      ['assistant', '[Tool calls made in this step]\n- read_file {"path":"a"} -> A\nDone.'],
      ['user', 'thanks'],
    ]);
  });

  it('merges a long run of replies in time linear in its length (3,000 of 10 KB took 7.8 s)', () => {
    const reply = `${'x'.repeat(10_000)}  `;
    const messages = Array.from({ length: 3000 }, () => ({ role: 'assistant' as const, content: reply, createdAt: 1 }));
    const [merged] = toModelHistory([{ role: 'assistant', content: 'first', createdAt: 1 }, ...messages], '');
    expect(merged!.content).toBe(['first', ...messages.map(() => reply.trim())].join('\n'));
  }, 3000);
});
