import { describe, expect, it } from 'bun:test';
import { AppError } from '../shared/app-error';
import { acceptsTemperature, parseModelOverrides, resolveLlm, resolveToolLoopModel } from './model-factory';

const none = { toolLoopModel: '', toolLoopModelOverrides: '' };

describe('resolveToolLoopModel', () => {
  it('keeps the model without tools or overrides', () => {
    expect(resolveToolLoopModel('deepseek-reasoner', true, none)).toBe('deepseek-reasoner');
    expect(resolveToolLoopModel('deepseek-reasoner', false, { ...none, toolLoopModel: 'x' })).toBe('deepseek-reasoner');
  });
  it('lets TOOL_LOOP_MODEL win, then the per-model map in either form, keys case-insensitive', () => {
    expect(
      resolveToolLoopModel('deepseek-reasoner', true, {
        toolLoopModel: 'deepseek-chat',
        toolLoopModelOverrides: '{"deepseek-reasoner":"x"}',
      }),
    ).toBe('deepseek-chat');
    expect(
      resolveToolLoopModel('DeepSeek-Reasoner', true, {
        ...none,
        toolLoopModelOverrides: '{"deepseek-reasoner": " deepseek-chat "}',
      }),
    ).toBe('deepseek-chat');
    expect(
      resolveToolLoopModel('deepseek-reasoner', true, {
        ...none,
        toolLoopModelOverrides: 'a=b, DEEPSEEK-REASONER=deepseek-chat',
      }),
    ).toBe('deepseek-chat');
  });
  it('parses the legacy form, skipping items without = and keeping the last duplicate', () => {
    expect([...parseModelOverrides('a=b,junk,A=c,x=y=z')]).toEqual([
      ['a', 'c'],
      ['x', 'y=z'],
    ]);
    expect([...parseModelOverrides('[1,2]')]).toEqual([]);
  });
});

describe('resolveLlm', () => {
  it('answers llm_not_configured naming the variables when nothing is set', () => {
    try {
      resolveLlm({ baseUrl: '', apiKey: '', model: '', source: 'none', ...none });
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('llm_not_configured');
      expect((error as AppError).message).toContain('LLM_BASE_URL');
    }
  });
  it('falls back to DeepSeek defaults from DEEPSEEK_API_KEY alone', () => {
    expect(resolveLlm({ baseUrl: '', apiKey: 'k', model: '', source: 'DEEPSEEK', ...none })).toEqual({
      baseUrl: 'https://api.deepseek.com',
      apiKey: 'k',
      model: 'deepseek-chat',
    });
  });
});

describe('acceptsTemperature', () => {
  it('leaves temperature out for OpenAI reasoning models only', () => {
    for (const model of ['o1', 'o3-mini', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-mini', 'GPT-5.1', 'openai/gpt-5-nano'])
      expect([model, acceptsTemperature(model)]).toEqual([model, false]);
    for (const model of [
      'gpt-5-chat-latest',
      'gpt-4.1',
      'gpt-4o-mini',
      'deepseek-chat',
      'deepseek-reasoner',
      'llama3.1:8b',
      'qwen2.5',
      'omni-model',
    ])
      expect([model, acceptsTemperature(model)]).toEqual([model, true]);
  });
});
