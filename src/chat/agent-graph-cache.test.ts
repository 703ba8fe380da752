import { describe, expect, it } from 'bun:test';
import { sharedAgentGraph } from './agent-graph-cache';
import { loadLangChain } from './langchain-runtime';
import { sharedChatModel } from './model-cache';

const model = (temperature: number) =>
  sharedChatModel({
    llm: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k', model: 'm' },
    model: 'm',
    runtime: { temperature, timeout_seconds: 60 },
    streaming: true,
  });
const schema = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
const tool = (name: string, description = 'Does it.') => ({ name, description, schema });

describe('sharedAgentGraph', () => {
  it('gives the same graph for the same model and tool set, and a new one when either differs', async () => {
    const runtime = await loadLangChain();
    const client = await model(0.4);
    const first = sharedAgentGraph(runtime, client, [tool('echo')]);
    expect(sharedAgentGraph(runtime, client, [tool('echo')])).toBe(first);
    expect(sharedAgentGraph(runtime, client, [tool('echo', 'Says it back.')])).not.toBe(first);
    expect(sharedAgentGraph(runtime, client, [tool('echo'), tool('read')])).not.toBe(first);
    expect(sharedAgentGraph(runtime, await model(0.5), [tool('echo')])).not.toBe(first);
  });

  it('keeps 16 tool sets per model: one unused while 16 others were asked for is built anew', async () => {
    const runtime = await loadLangChain();
    const client = await model(0.6);
    const first = sharedAgentGraph(runtime, client, [tool('kept')]);
    for (let index = 0; index < 16; index++) sharedAgentGraph(runtime, client, [tool(`other_${index}`)]);
    expect(sharedAgentGraph(runtime, client, [tool('kept')])).not.toBe(first);
  });
});
