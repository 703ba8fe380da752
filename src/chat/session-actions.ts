// Model-backed session actions: generate a title, compress older messages into a summary.
import type { AgentHandle } from '../agents/agent-registry';
import type { LlmSettings } from '../config/env';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { isModelCallAllowed, recordAuxiliaryUsage } from './auxiliary-usage';
import { createChatModel, resolveLlm, type ResolvedLlm } from './model-factory';
import { textOf } from './message-text';
import { fallbackTitle, generateTitle } from './title';

const SUMMARY_MAX_CHARS = 500;

/**
 * Titles a session from its first user message (or first message, or summary). 400 when there is nothing.
 * The model call's usage is recorded under trigger `title`; with the budget blocking, the fallback title is used.
 */
export async function titleSession(agent: AgentHandle, sessionId: string, llmSettings: LlmSettings, clock: Clock): Promise<string> {
  const record = agent.sessions.get(sessionId);
  const messages = agent.sessions.messages(sessionId);
  const seed =
    messages.find((message) => message.role === 'user' && message.content.trim())?.content ?? messages[0]?.content ?? record.compressedContext;
  if (!seed.trim()) throw new AppError('invalid_state', 'Cannot generate title for empty session');
  let title: string;
  try {
    title = await proposeTitle(agent, resolveLlm(llmSettings), seed, sessionId, clock);
  } catch {
    // As in proposeTitle: a title is never worth failing the request, the fallback serves.
    title = fallbackTitle(seed);
  }
  agent.sessions.rename(sessionId, title);
  return title;
}

/**
 * A one-line title for `seed` from the model, its usage recorded under trigger `title`; the first
 * words of `seed` when the budget blocks model calls or the call fails. Used by chat's first turn too.
 */
export async function proposeTitle(agent: AgentHandle, llm: ResolvedLlm, seed: string, sessionId: string, clock: Clock): Promise<string> {
  if (!isModelCallAllowed(agent, clock.nowMs())) return fallbackTitle(seed);
  try {
    // streaming: false, because ChatOpenAI's invoke on a streaming model counts prompt tokens with a tokenizer it downloads.
    const generated = await generateTitle(await createChatModel({ llm, model: llm.model, runtime: agent.config().llm_runtime, streaming: false }), seed);
    recordAuxiliaryUsage(agent, { llm, model: llm.model, trigger: 'title', sessionId, reply: generated.reply, nowMs: clock.nowMs() });
    return generated.title;
  } catch {
    // The model could not title it (not configured, unreachable, refused): the fallback serves.
    return fallbackTitle(seed);
  }
}

export interface CompressionResult {
  archivedCount: number;
  remainingCount: number;
  summary: string;
}

/**
 * Summarises the older half (at least 4) of a session's messages; the originals stay retrievable. The
 * model call's usage is recorded under trigger `compress`; with the budget blocking, the text is cut instead.
 */
export async function compressSession(agent: AgentHandle, sessionId: string, llmSettings: LlmSettings, busy: boolean, clock: Clock): Promise<CompressionResult> {
  const record = agent.sessions.get(sessionId);
  if (busy) throw new AppError('session_busy', 'A streaming run is already active for this session.');
  const messages = agent.sessions.messages(sessionId);
  if (messages.length < 4) {
    throw new AppError('invalid_state', 'At least 4 messages are required for compression', { message_count: messages.length });
  }
  const count = Math.min(messages.length, Math.max(4, Math.floor(messages.length / 2)));
  const corpus = messages
    .slice(0, count)
    .map((message) => `${message.role}: ${message.content.slice(0, 200)}`)
    .join('\n')
    .slice(0, 4000);
  let summary = corpus.slice(0, SUMMARY_MAX_CHARS);
  try {
    if (isModelCallAllowed(agent, clock.nowMs())) {
      const llm = resolveLlm(llmSettings);
      const model = await createChatModel({ llm, model: llm.model, runtime: agent.config().llm_runtime, streaming: false });
      const reply = await model.invoke([
        {
          role: 'user',
          content: `Summarise this conversation in under ${SUMMARY_MAX_CHARS} characters. Keep conclusions, the user's preferences and unfinished tasks.\n\n${corpus}`,
        },
      ]);
      recordAuxiliaryUsage(agent, { llm, model: llm.model, trigger: 'compress', sessionId, reply, nowMs: clock.nowMs() });
      summary = textOf(reply.content).trim().slice(0, SUMMARY_MAX_CHARS) || summary;
    }
  } catch {
    // No model summary (none configured, unreachable, refused): the cut text stands, as with the budget blocking.
  }
  const previous = record.compressedContext.trim();
  const context = previous ? `${previous}\n---\n${summary}` : summary;
  const { remaining } = agent.sessions.compress(sessionId, count, context);
  return { archivedCount: count, remainingCount: remaining, summary };
}
