import { describe, expect, it } from 'bun:test';
import { toStreamItem } from './stream-items';

describe('toStreamItem', () => {
  it('reads a messages chunk with the node that produced it', () => {
    const message = { content: 'Hi', tool_calls: [], additional_kwargs: {} };
    expect(toStreamItem(['messages', [message, { langgraph_node: 'model_request', langgraph_step: 1 }]])).toEqual({
      mode: 'messages',
      message,
      node: 'model_request',
    });
    expect(toStreamItem(['messages', [message, null]])).toEqual({ mode: 'messages', message, node: undefined });
  });

  it('reads the nodes of an updates chunk that added messages, and leaves out the others', () => {
    const ai = { content: '', tool_calls: [{ name: 'echo', args: { text: 'a' }, id: 'call_1' }] };
    const tool = { content: '{"ok":true}', name: 'echo', tool_call_id: 'call_1' };
    expect(
      toStreamItem([
        'updates',
        { model_request: { messages: [ai] }, tools: { messages: [tool] }, other: { jumpTo: 'end' }, empty: null },
      ]),
    ).toEqual({
      mode: 'updates',
      updates: [
        { node: 'model_request', messages: [ai] },
        { node: 'tools', messages: [tool] },
      ],
    });
  });

  it('ignores items of other modes and shapes', () => {
    for (const raw of [
      null,
      'text',
      ['custom', {}],
      ['messages'],
      ['messages', {}],
      ['messages', ['text', {}]],
      ['updates', []],
      ['values', { messages: [] }],
    ]) {
      expect(toStreamItem(raw)).toBeNull();
    }
  });

  it('drops messages whose fields have other types than LangChain gives them', () => {
    const chunk = (message: unknown) => ['messages', [message, { langgraph_node: 'model_request' }]];
    expect(toStreamItem(chunk({ content: 'x', tool_calls: 'echo' }))).toBeNull();
    expect(toStreamItem(chunk({ content: 'x', tool_calls: [{ name: 3 }] }))).toBeNull();
    expect(toStreamItem(chunk({ content: 'x', name: {} }))).toBeNull();
    expect(toStreamItem(chunk({ content: 'x', additional_kwargs: 'reasoning' }))).toBeNull();
    expect(
      toStreamItem(['updates', { tools: { messages: [{ content: 'a', tool_call_id: 7 }, { content: 'b' }] } }]),
    ).toEqual({
      mode: 'updates',
      updates: [{ node: 'tools', messages: [{ content: 'b' }] }],
    });
  });
});
