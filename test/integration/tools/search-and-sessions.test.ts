import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToolHarness } from '../../support/tool-harness';

describe('search_knowledge_base and search_memory (plain-scan searcher)', () => {
  it('ranks passages holding every query term first, names their file and lines, honours top_k', async () => {
    using harness = createToolHarness({ config: { retrieval: { knowledge: { chunk_size: 64, chunk_overlap: 0 } } } });
    mkdirSync(join(harness.root, 'knowledge', 'guides'), { recursive: true });
    writeFileSync(join(harness.root, 'knowledge', 'guides', 'deploy.md'), 'Intro line\nDeploy the server with Docker.\nDocker needs a volume for storage.\n');
    writeFileSync(join(harness.root, 'knowledge', 'faq.txt'), 'The server restarts nightly.\n');
    writeFileSync(join(harness.root, 'knowledge', 'blob.bin'), Buffer.from([0, 1, 2, 68, 111, 99, 107, 101, 114]));
    writeFileSync(join(harness.root, 'memory', 'MEMORY.md'), '# Memory\nThe user prefers Docker over Podman.\n');
    const result = await harness.call('search_knowledge_base', { query: 'docker SERVER' });
    expect(result.data.query).toBe('docker SERVER');
    expect(result.data.results.map((hit: any) => [hit.source, hit.start_line, hit.end_line])).toEqual([
      ['knowledge/guides/deploy.md', 1, 2],
      // Equal scores (one term each) are ordered by file and line.
      ['knowledge/faq.txt', 1, 1],
      ['knowledge/guides/deploy.md', 3, 3],
    ]);
    expect(result.data.results[0].score).toBeGreaterThan(result.data.results[1].score);
    expect((await harness.call('search_knowledge_base', { query: 'docker', top_k: 1 })).data.results).toHaveLength(1);
    const memory = await harness.call('search_memory', { query: 'podman' });
    expect(memory.data.results).toEqual([{ text: '# Memory\nThe user prefers Docker over Podman.', score: expect.any(Number), source: 'memory/MEMORY.md', start_line: 1, end_line: 2 }]);
    expect((await harness.call('search_memory', { query: '   ' })).error?.code).toBe('E_INVALID_ARGS');
  });
});

describe('sessions_list and session_history', () => {
  it("lists the agent's sessions and reads one, capped; unknown sessions are E_NOT_FOUND", async () => {
    using harness = createToolHarness();
    harness.sessions.create('Second', 'session-2');
    harness.sessions.appendMessages('session-2', [
      { role: 'user', content: 'hello there' },
      { role: 'assistant', content: 'x'.repeat(300), toolCalls: [{ tool: 'read_file', input: { path: 'a' } }] },
    ]);
    const list = await harness.call('sessions_list', {});
    expect(list.data.sessions.map((session: any) => [session.session_id, session.title, session.current])).toEqual(
      expect.arrayContaining([
        ['session-1', 'Harness session', true],
        ['session-2', 'Second', false],
      ]),
    );
    const history = await harness.call('session_history', { session_id: 'session-2', max_chars: 100 });
    expect(history.data.messages.map((message: any) => [message.role, message.content.length, message.tools_used])).toEqual([
      ['user', 11, undefined],
      ['assistant', 100 + '\n...[truncated]'.length, ['read_file']],
    ]);
    expect(history.meta.truncated).toBe(true);
    expect((await harness.call('session_history', { session_id: 'nope' })).error?.code).toBe('E_NOT_FOUND');
  });
});
