import { describe, expect, it } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRuntimeConfig } from '../config/runtime-config.schema';
import { createPromptBuilder, RAG_GUIDANCE, renderSystemPrompt } from './prompt-builder';

function agentFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'prompt-'));
  mkdirSync(join(root, 'workspace'));
  mkdirSync(join(root, 'memory'));
  for (const name of ['SOUL', 'IDENTITY', 'USER', 'AGENTS', 'TOOLS', 'BOOTSTRAP'])
    writeFileSync(join(root, 'workspace', `${name}.md`), `${name} text`);
  writeFileSync(join(root, 'memory', 'MEMORY.md'), 'remember this');
  writeFileSync(join(root, 'SKILLS_SNAPSHOT.md'), '<available_skills>\n</available_skills>\n');
  return root;
}

const first = { isFirstTurn: true, isFirstConversation: true };
const later = { isFirstTurn: false, isFirstConversation: false };

describe('renderSystemPrompt', () => {
  it('puts the sections in order with headers, marks missing files, shows BOOTSTRAP only on the first conversation', () => {
    const root = agentFolder();
    const prompt = renderSystemPrompt(root, defaultRuntimeConfig(), first);
    const order = [
      'Skills Snapshot',
      'Soul',
      'Identity',
      'User Profile',
      'Heartbeat Guide',
      'Agents Guide',
      'Tools Guide',
      'Bootstrap',
      'Long-term Memory',
    ];
    const positions = order.map((label) => prompt.indexOf(`<!-- ${label} -->`));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(prompt).toContain('[MISSING FILE: workspace/HEARTBEAT.md]');
    expect(prompt).toContain('TOOLS text');
    expect(renderSystemPrompt(root, defaultRuntimeConfig(), later)).not.toContain('BOOTSTRAP text');
    rmSync(root, { recursive: true });
  });

  it('truncates a file and the whole prompt with markers, and swaps memory for guidance in rag mode', () => {
    const root = agentFolder();
    writeFileSync(join(root, 'workspace', 'SOUL.md'), 'x'.repeat(500));
    const capped = renderSystemPrompt(root, { ...defaultRuntimeConfig(), bootstrap_max_chars: 100 }, later);
    expect(capped).toContain(`${'x'.repeat(100)}\n...[truncated]`);
    const total = renderSystemPrompt(root, { ...defaultRuntimeConfig(), bootstrap_total_max_chars: 200 }, later);
    expect(total.endsWith('\n...[truncated_total]')).toBe(true);
    expect(total.length).toBe(200 + '\n...[truncated_total]'.length);
    const rag = renderSystemPrompt(root, { ...defaultRuntimeConfig(), rag_mode: true }, later);
    expect(rag).toContain(RAG_GUIDANCE);
    expect(rag).not.toContain('remember this');
    expect(renderSystemPrompt(root, { ...defaultRuntimeConfig(), injection_mode: 'first_turn_only' }, later)).toBe('');
    rmSync(root, { recursive: true });
  });
});

describe('createPromptBuilder', () => {
  it('serves from cache until a file changes, and keeps agents apart', () => {
    const builder = createPromptBuilder(2);
    const a = agentFolder();
    const b = agentFolder();
    writeFileSync(join(b, 'workspace', 'SOUL.md'), 'other soul');
    const config = defaultRuntimeConfig();
    const before = builder.build(a, config, later);
    expect(builder.build(a, config, later)).toBe(before);
    expect(builder.build(b, config, later)).toContain('other soul');
    writeFileSync(join(a, 'workspace', 'AGENTS.md'), 'changed agents guide');
    const after = builder.build(a, config, later);
    expect(after).toContain('changed agents guide');
    expect(after).not.toBe(before);
  });
});
