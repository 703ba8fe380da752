import { describe, expect, it } from 'bun:test';
import type { SessionRecord, StoredMessage } from '../../sessions';
import { historyMessages } from './sessions.schema';

const record = (live: SessionRecord['liveResponse']): SessionRecord => ({
  sessionId: 's',
  title: 'T',
  createdAt: 1,
  updatedAt: 1,
  archived: false,
  archivedAt: null,
  compressedContext: '',
  liveResponse: live,
});
const user: StoredMessage = { role: 'user', content: 'Hi', createdAt: 1 };
const live = { runId: 'run-1', content: 'Hel', toolCalls: [], updatedAt: 2 };

describe('historyMessages', () => {
  it("shows a live run's partial reply as streaming, before the queued messages", () => {
    const queued: StoredMessage = { role: 'user', content: 'Next', status: 'queued', createdAt: 3 };
    expect(
      historyMessages(record(live), [user, queued]).map((row) => [row.content, row.streaming, row.status]),
    ).toEqual([
      ['Hi', undefined, undefined],
      ['Hel', true, undefined],
      ['Next', undefined, 'queued'],
    ]);
  });

  it('shows a run once: not its snapshot beside its stored reply (a read that raced the write storing it)', () => {
    const reply: StoredMessage = { role: 'assistant', content: 'Hello', runId: 'run-1', createdAt: 2 };
    expect(historyMessages(record(live), [user, reply]).map((row) => [row.content, row.streaming])).toEqual([
      ['Hi', undefined],
      ['Hello', undefined],
    ]);
    // Another run's stored reply leaves the live run's snapshot shown.
    const earlier: StoredMessage = { ...reply, runId: 'run-0' };
    expect(historyMessages(record(live), [user, earlier]).map((row) => row.content)).toEqual(['Hi', 'Hello', 'Hel']);
  });
});
