// What the sessions domain asks of chat: titles and compression summaries from the model, the system prompt, token counts.
import type { AgentHandle } from '../agents';
import { SUMMARY_MAX_CHARS, type SessionAssistant } from '../sessions';
import type { Clock } from '../shared/clock';
import { isModelCallAllowed, recordAuxiliaryUsage, type AuxiliaryPorts } from './auxiliary-usage';
import { textOf } from './message-text';
import { invokeModel, type PlainMessage } from './model-invoke';
import { callRouted, type ModelAccess } from './model-router';
import type { PromptBuilder } from './prompt-builder';
import { askTitle, fallbackTitle } from './title';
import { countTokensYielding } from './token-counter';

export interface SessionAssistantDeps {
  /** The agents' model routes: titles and summaries fall back like turns. */
  models: ModelAccess;
  prompts: PromptBuilder;
  clock: Clock;
}

/**
 * Titles and summaries from the model, their usage recorded under triggers `title` and `compress`.
 * Without a model, with the budget blocking model calls, or when the call fails, a title falls back to
 * the first words and a summary to null (the sessions domain then keeps the start of the text).
 */
export function createSessionAssistant<S extends AuxiliaryPorts>({
  models,
  prompts,
  clock,
}: SessionAssistantDeps): SessionAssistant<S> {
  return {
    systemPrompt: (agent, options) => prompts.build(agent.root, agent.config(), options),
    countTokens: countTokensYielding,
    async title(agent, seed, sessionId) {
      try {
        return await proposeTitle(agent, models, seed, sessionId, clock);
      } catch {
        // As in proposeTitle: a title is never worth failing the request, the fallback serves.
        return fallbackTitle(seed);
      }
    },
    async summarize(agent, sessionId, corpus, signal) {
      try {
        if (!(await isModelCallAllowed(agent, clock.nowMs()))) return null;
        const config = agent.config();
        const { llm, reply } = await callRouted(models.route(config), models.breakers, async (llm) => {
          const reply = await invokeModel(
            { llm, model: llm.model, runtime: config.llm_runtime },
            [
              {
                role: 'user',
                content: `Summarise this conversation in under ${SUMMARY_MAX_CHARS} characters. Keep conclusions, the user's preferences and unfinished tasks.\n\n${corpus}`,
              },
            ],
            signal,
          );
          return { llm, reply };
        });
        await recordAuxiliaryUsage(agent, {
          llm,
          model: llm.model,
          trigger: 'compress',
          sessionId,
          reply,
          nowMs: clock.nowMs(),
        });
        return textOf(reply.content).trim();
      } catch {
        // No model summary (none configured, unreachable, refused): the sessions domain keeps the cut text, as with the budget blocking.
        return null;
      }
    },
  };
}

/**
 * A one-line title for `seed` from the model, its usage recorded under trigger `title`; the first
 * words of `seed` when the budget blocks model calls or the call fails. Used by chat's first turn too.
 */
export async function proposeTitle(
  agent: AgentHandle<AuxiliaryPorts>,
  models: ModelAccess,
  seed: string,
  sessionId: string,
  clock: Clock,
): Promise<string> {
  if (!(await isModelCallAllowed(agent, clock.nowMs()))) return fallbackTitle(seed);
  try {
    const config = agent.config();
    const { llm, generated } = await callRouted(models.route(config), models.breakers, async (llm) => {
      // Not streamed, because ChatOpenAI's invoke on a streaming model counts prompt tokens with a tokenizer it downloads.
      const ask = (messages: PlainMessage[]) =>
        invokeModel({ llm, model: llm.model, runtime: config.llm_runtime }, messages);
      return { llm, generated: await askTitle(ask, seed) };
    });
    await recordAuxiliaryUsage(agent, {
      llm,
      model: llm.model,
      trigger: 'title',
      sessionId,
      reply: generated.reply,
      nowMs: clock.nowMs(),
    });
    return generated.title;
  } catch {
    // The model could not title it (not configured, unreachable, refused): the fallback serves.
    return fallbackTitle(seed);
  }
}
