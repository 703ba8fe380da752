// The model call a cancelled turn cut short: what it had been sent and had streamed, to estimate the tokens it consumed.
import type { OpenAIClient } from '@langchain/openai';
import type { ModelMessage } from '../sessions';
import type { ChatEvent } from './chat-events';
import { estimatePromptTokens, type StreamEstimate } from './model-stream-guard';
import { countTokens } from './token-counter';

/**
 * Follows a turn's events. A call is in flight from the start and again once its tools have answered; it has
 * finished once its tool calls are out (a call without tool calls ends the turn). An aborted call reports no
 * usage, so its prompt (system prompt, history, message, and the tool round trips so far) and the text it had
 * streamed are counted with the local tokenizer instead.
 */
export class InFlightCall {
  private inFlight = true;
  private partial = '';
  private readonly context: string[];

  constructor(systemPrompt: string, history: readonly ModelMessage[], message: string) {
    this.context = [systemPrompt, ...history.map((entry) => entry.content), message];
  }

  observe(event: ChatEvent): void {
    if (event.type === 'token') this.partial += event.data.content;
    else if (event.type === 'tool_start') {
      if (this.partial) this.context.push(this.partial);
      this.partial = '';
      this.context.push(JSON.stringify(event.data.input));
      this.inFlight = false;
    } else if (event.type === 'tool_end') {
      this.context.push(event.data.output);
      this.inFlight = true;
    }
  }

  /** The estimate for the call cut short, or null when no call was in flight. */
  estimate(): StreamEstimate | null {
    if (!this.inFlight) return null;
    const messages = this.context.map((content) => ({ role: 'user' as const, content }));
    return {
      input_tokens: estimatePromptTokens({ messages } as Pick<
        OpenAIClient.Chat.ChatCompletionCreateParams,
        'messages'
      >),
      output_tokens: countTokens(this.partial),
    };
  }
}
