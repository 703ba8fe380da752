// Maps one attempt's LangGraph stream items to chat events (contract §3.5-3.6); no I/O, the same items give the same events.
import type { ChatEvent } from './chat-events';
import { reasoningOf, textOf } from './message-text';
import type { StreamItem, StreamMessage } from './stream-items';
import type { TurnUsage } from './turn-usage';

/** LangGraph's name of the node that calls the model; events call it `model`. */
const MODEL_NODE = 'model_request';
const PREVIEW_CHARS = 500;
const REASONING_CHARS = 1000;

export type TokenSource = 'messages' | 'updates';

/**
 * What a turn keeps across its attempts (contract §3.7): the token text sent so far, and the reasoning
 * texts already sent (each is sent once per turn).
 */
export class TurnTranscript {
  readonly texts: string[] = [];
  readonly reasoningSeen = new Set<string>();

  /** Every token sent in the turn, joined and trimmed. */
  text(): string {
    return this.texts.join('').trim();
  }
}

export interface StreamMapperOptions {
  runId: string;
  transcript: TurnTranscript;
  /** Turns the usage a model message reports into a `usage` event when it changes the turn's totals. */
  usage: Pick<TurnUsage, 'observe'>;
  /** The attempt goes on after tool results (a restored paused run): its first token opens a new response. */
  afterToolResults?: boolean;
}

/**
 * One attempt's mapper. Tokens come from `messages` chunks of the model node; when none came first, the
 * text of the first completed model step is sent once as an `updates` token, and from then on the other
 * source is ignored. A completed model step with tool calls gives one `tool_start` per call; a `tools`
 * step gives one `tool_end` per result, and the next token is preceded by `new_response`. Reasoning is
 * read from completed model steps without tool calls. Usage is observed on every model message.
 */
export class StreamMapper {
  private readonly runId: string;
  private readonly transcript: TurnTranscript;
  private readonly usage: Pick<TurnUsage, 'observe'>;
  private clientReached = false;
  private toolRan = false;
  private updateSent = false;
  private pendingNewResponse = false;
  private source: TokenSource | null = null;
  private lastStepText = '';
  private calls = 0;

  constructor(options: StreamMapperOptions) {
    this.runId = options.runId;
    this.transcript = options.transcript;
    this.usage = options.usage;
    this.pendingNewResponse = options.afterToolResults ?? false;
  }

  /** Where this attempt's tokens came from, or null when it sent none. */
  get tokenSource(): TokenSource | null {
    return this.source;
  }

  /** Completed model calls of this attempt (the index the next call's usage is counted under). */
  get modelCalls(): number {
    return this.calls;
  }

  /** True while nothing of this attempt reached the client (no token, no tool call) and no tool ran: it may be retried. */
  get isRetryable(): boolean {
    return !this.clientReached && !this.toolRan;
  }

  /** The reply: every token of the turn, else the text of this attempt's last completed model step (trimmed). */
  content(): string {
    return this.transcript.text() || this.lastStepText.trim();
  }

  /** The events of one stream item, in order. */
  map(item: StreamItem): ChatEvent[] {
    const events: ChatEvent[] = [];
    if (item.mode === 'messages') {
      if (item.node === MODEL_NODE) this.onModelChunk(item.message, events);
      return events;
    }
    for (const { node, messages } of item.updates) {
      const last = messages.at(-1);
      if (!last) continue;
      this.updateSent = true;
      const preview = textOf(last.content).slice(0, PREVIEW_CHARS);
      events.push({
        type: 'agent_update',
        data: {
          run_id: this.runId,
          node: node === MODEL_NODE ? 'model' : node,
          message_count: messages.length,
          preview,
        },
      });
      if (node === MODEL_NODE) this.onModelStep(last, events);
      else if (node === 'tools') this.onToolResults(messages, events);
    }
    return events;
  }

  /** A streamed chunk of the model's reply. */
  private onModelChunk(message: StreamMessage, events: ChatEvent[]): void {
    this.observeUsage(message, events);
    if (this.source === 'updates') return;
    const text = textOf(message.content);
    if (!text) return;
    if (!this.updateSent) {
      this.updateSent = true;
      events.push({
        type: 'agent_update',
        data: { run_id: this.runId, node: 'model', message_count: 1, preview: 'Streaming token output' },
      });
    }
    this.source = 'messages';
    this.sendToken(text, 'messages', events);
  }

  /** A completed model step: its tool calls, or its text (as the fallback token) and reasoning. */
  private onModelStep(message: StreamMessage, events: ChatEvent[]): void {
    this.observeUsage(message, events);
    this.calls += 1;
    const calls = message.tool_calls ?? [];
    if (calls.length > 0) {
      for (const call of calls) {
        this.clientReached = true;
        events.push({
          type: 'tool_start',
          data: { run_id: this.runId, tool: call.name || 'unknown', input: call.args ?? {} },
        });
      }
      return;
    }
    this.lastStepText = textOf(message.content);
    if (this.source === null && this.lastStepText) {
      this.source = 'updates';
      this.sendToken(this.lastStepText, 'updates', events);
    }
    for (const reasoning of reasoningOf(message)) {
      if (this.transcript.reasoningSeen.has(reasoning)) continue;
      this.transcript.reasoningSeen.add(reasoning);
      events.push({ type: 'reasoning', data: { run_id: this.runId, content: reasoning.slice(0, REASONING_CHARS) } });
    }
  }

  /** A `tools` step: one `tool_end` per result; the next token opens a new response. */
  private onToolResults(messages: StreamMessage[], events: ChatEvent[]): void {
    for (const message of messages) {
      this.toolRan = true;
      const output = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
      events.push({
        type: 'tool_end',
        data: { run_id: this.runId, tool: message.name || message.tool_call_id || 'tool', output },
      });
    }
    this.pendingNewResponse = true;
  }

  private sendToken(content: string, source: TokenSource, events: ChatEvent[]): void {
    if (this.pendingNewResponse) {
      this.pendingNewResponse = false;
      events.push({ type: 'new_response', data: {} });
    }
    this.clientReached = true;
    this.transcript.texts.push(content);
    events.push({ type: 'token', data: { content, source } });
  }

  private observeUsage(message: StreamMessage, events: ChatEvent[]): void {
    const update = this.usage.observe(message, this.runId, this.calls);
    if (update) events.push(update);
  }
}
