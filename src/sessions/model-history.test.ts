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
});
