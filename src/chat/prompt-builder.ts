// The system prompt: workspace files in a fixed order with headers, per-file and total caps, a small cache.
import { statSync } from 'node:fs';
import { readAgentTextFile } from '../security';
import { join } from 'node:path';
import type { RuntimeConfig } from '../config';

/** Sections in prompt order: header label and path relative to the agent folder. */
export const PROMPT_SECTIONS = [
  ['Skills Snapshot', 'SKILLS_SNAPSHOT.md'],
  ['Soul', 'workspace/SOUL.md'],
  ['Identity', 'workspace/IDENTITY.md'],
  ['User Profile', 'workspace/USER.md'],
  ['Heartbeat Guide', 'workspace/HEARTBEAT.md'],
  ['Agents Guide', 'workspace/AGENTS.md'],
  ['Tools Guide', 'workspace/TOOLS.md'],
  ['Bootstrap', 'workspace/BOOTSTRAP.md'],
  ['Long-term Memory', 'memory/MEMORY.md'],
] as const;

export const RAG_GUIDANCE = [
  '[Memory Retrieval Mode]',
  'Long-term memory is not pasted here: the passages relevant to this request are retrieved from memory and given to you with it.',
  'Treat retrieved passages as context for this turn only; they are not saved back to memory.',
].join('\n');

export interface PromptOptions {
  /** No message stored in this session yet. */
  isFirstTurn: boolean;
  /** The agent has no stored conversation turn at all yet (BOOTSTRAP.md is only shown then). */
  isFirstConversation: boolean;
}

type PromptConfig = Pick<
  RuntimeConfig,
  'rag_mode' | 'injection_mode' | 'bootstrap_max_chars' | 'bootstrap_total_max_chars'
>;

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    // Missing (or unreadable): -1 marks it absent in the checks and the cache key.
    return -1;
  }
}

/** Renders the prompt from files; pure apart from reading them. */
export function renderSystemPrompt(agentRoot: string, config: PromptConfig, options: PromptOptions): string {
  if (config.injection_mode === 'first_turn_only' && !options.isFirstTurn) return '';
  const parts: string[] = [];
  for (const [label, relative] of PROMPT_SECTIONS) {
    let content: string;
    if (relative === 'workspace/BOOTSTRAP.md') {
      if (!options.isFirstConversation || mtimeOf(join(agentRoot, relative)) < 0) continue;
      content = readAgentTextFile(agentRoot, relative, config.bootstrap_max_chars);
    } else if (relative === 'memory/MEMORY.md' && config.rag_mode) {
      content = RAG_GUIDANCE;
    } else {
      try {
        content = readAgentTextFile(agentRoot, relative, config.bootstrap_max_chars);
      } catch {
        // Missing, or refused by the guard: the prompt says so rather than failing the turn.
        content = `[MISSING FILE: ${relative}]`;
      }
    }
    if (content.length > config.bootstrap_max_chars)
      content = `${content.slice(0, config.bootstrap_max_chars)}\n...[truncated]`;
    parts.push(`<!-- ${label} -->\n${content}`);
  }
  const prompt = parts.join('\n\n');
  if (prompt.length > config.bootstrap_total_max_chars)
    return `${prompt.slice(0, config.bootstrap_total_max_chars)}\n...[truncated_total]`;
  return prompt;
}

export interface PromptBuilder {
  build(agentRoot: string, config: PromptConfig, options: PromptOptions): string;
}

/** A builder with a bounded cache keyed by agent folder, file modification times, settings and turn flags. */
export function createPromptBuilder(maxEntries = 64): PromptBuilder {
  const cache = new Map<string, string>();
  return {
    build(agentRoot, config, options) {
      if (config.injection_mode === 'first_turn_only' && !options.isFirstTurn) return '';
      const stamps = PROMPT_SECTIONS.map(([, relative]) => mtimeOf(join(agentRoot, relative))).join(',');
      const key = [
        agentRoot,
        stamps,
        config.rag_mode,
        config.injection_mode,
        config.bootstrap_max_chars,
        config.bootstrap_total_max_chars,
        options.isFirstTurn,
        options.isFirstConversation,
      ].join('|');
      const hit = cache.get(key);
      if (hit !== undefined) {
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      const prompt = renderSystemPrompt(agentRoot, config, options);
      cache.set(key, prompt);
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      return prompt;
    },
  };
}
