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
});
