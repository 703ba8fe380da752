// One agent turn with createAgent: streams the graph, maps it to chat events, retries before output.
import type { LlmSettings } from '../config';
import type { RuntimeConfig } from '../config';
import { newId } from '../shared/ids';
import { redactSecrets } from '../shared/redact';
import type { RunTools, TriggerType } from '../tools';
import { createUsagePricer, type UsagePricer } from '../usage';
import { extractCallUsage } from '../usage';
import { UsageAccumulator, type UsageRecord } from '../usage';
import type { ChatEvent } from './chat-events';
import { loadLangChain, type LangChainRuntime } from './langchain-runtime';
import { createChatModel, resolveToolLoopModel, type ResolvedLlm } from './model-factory';
import type { ModelMessage } from '../sessions';
import { reasoningOf, textOf } from './message-text';
import { incompleteStreamOf } from './model-stream-guard';
import { retryDelayMs } from './retry-policy';
import { toolGateMiddleware } from './tool-gate-middleware';
import { isStorageFault } from '../shared/storage-fault';

export interface AgentTurnInput {
  llm: ResolvedLlm;
  llmSettings: Pick<LlmSettings, 'toolLoopModel' | 'toolLoopModelOverrides'>;
  config: RuntimeConfig;
  systemPrompt: string;
  history: ModelMessage[];
  message: string;
  /** The tools offered for this run; every call (offered or not) goes through `tools.execute`. */
  tools: RunTools;
  agentId: string;
  sessionId: string;
  triggerType: TriggerType;
  /** Waits between attempts; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Prices usage for events and the result (the embedded catalog when absent). */
  price?: UsagePricer;
  /** Aborts the model call (the agent was deleted). */
  signal?: AbortSignal;
}

export interface AgentTurnResult {
  ok: boolean;
  content: string;
  runId: string;
  usage: UsageRecord | null;
  error?: { code: string; message: string };
}

const isRecursionLimit = (error: unknown) => error instanceof Error && error.name === 'GraphRecursionError';

/** Runs the turn, yielding contract events; returns the outcome. Never throws for model failures. */
export async function* runAgentTurn(input: AgentTurnInput): AsyncGenerator<ChatEvent, AgentTurnResult> {
  const { config } = input;
  const model = resolveToolLoopModel(input.llm.model, input.tools.offered.length > 0, input.llmSettings);
  const usage = new UsageAccumulator(model, input.llm.baseUrl);
  const price = input.price ?? createUsagePricer();
  const recordFor = (runId: string): UsageRecord | null =>
    usage.totals.total_tokens > 0
      ? price({
          schema_version: 2,
          agent_id: input.agentId,
          ...usage.identity,
          trigger_type: input.triggerType,
          run_id: runId,
          session_id: input.sessionId,
          ...usage.totals,
          estimated: usage.estimated,
        })
      : null;
  const usageEvent = (runId: string): ChatEvent => {
    const { schema_version: _version, trigger_type: _trigger, session_id: _session, ...data } = recordFor(runId)!;
    return { type: 'usage', data };
  };
  /** Folds one model message's usage in (the same call seen again in the other stream mode adds nothing). */
  const observeUsage = (message: unknown, runId: string, callIndex: number): ChatEvent | null => {
    const call = extractCallUsage(message, model, input.llm.baseUrl);
    return call && usage.add(`${runId}:${callIndex}`, call) ? usageEvent(runId) : null;
  };
  const sleep = input.sleep ?? ((ms: number) => Bun.sleep(ms));
  const texts: string[] = [];
  const reasoningSeen = new Set<string>();
  let runId = '';

  for (let attempt = 0; attempt <= config.agent_runtime.max_retries; attempt++) {
    runId = newId();
    yield { type: 'run_start', data: { run_id: runId, attempt: attempt + 1 } };
    let reachedClient = false;
    let toolRan = false;
    let updateSent = false;
    let pendingNewResponse = false;
    let tokenSource: 'messages' | 'updates' | null = null;
    let fallbackText = '';
    let modelCalls = 0;
    try {
      const runtime = await loadLangChain();
      const agent = runtime.createAgent({
        model: await createChatModel({ llm: input.llm, model, runtime: config.llm_runtime, streaming: true }),
        tools: langChainTools(runtime, input.tools, runId),
        systemPrompt: input.systemPrompt,
        middleware: [toolGateMiddleware(runtime, input.tools.execute, runId)],
      });
      const stream = await agent.stream(
        { messages: [...input.history, { role: 'user', content: input.message }].map((message): [string, string] => [message.role, message.content]) },
        { streamMode: ['updates', 'messages'], recursionLimit: config.agent_runtime.max_steps * 2 + 1, signal: input.signal },
      );
      for await (const [mode, chunk] of stream as AsyncIterable<[string, any]>) {
        if (mode === 'messages') {
          const [message, metadata] = chunk as [any, { langgraph_node?: string }];
          if (metadata?.langgraph_node !== 'model_request') continue;
          const usageUpdate = observeUsage(message, runId, modelCalls);
          if (usageUpdate) yield usageUpdate;
          if (tokenSource === 'updates') continue;
          const text = textOf(message.content);
          if (!text) continue;
          if (!updateSent) {
            updateSent = true;
            yield { type: 'agent_update', data: { run_id: runId, node: 'model', message_count: 1, preview: 'Streaming token output' } };
          }
          if (pendingNewResponse) {
            pendingNewResponse = false;
            yield { type: 'new_response', data: {} };
          }
          tokenSource = 'messages';
          reachedClient = true;
          texts.push(text);
          yield { type: 'token', data: { content: text, source: 'messages' } };
          continue;
        }
        for (const [node, delta] of Object.entries(chunk as Record<string, { messages?: any[] } | undefined>)) {
          const messages = delta?.messages ?? [];
          const last = messages[messages.length - 1];
          if (!last) continue;
          updateSent = true;
          const name = node === 'model_request' ? 'model' : node;
          yield { type: 'agent_update', data: { run_id: runId, node: name, message_count: messages.length, preview: textOf(last.content).slice(0, 500) } };
          if (node === 'model_request') {
            const usageUpdate = observeUsage(last, runId, modelCalls);
            if (usageUpdate) yield usageUpdate;
            modelCalls += 1;
            if (Array.isArray(last.tool_calls) && last.tool_calls.length > 0) {
              for (const call of last.tool_calls) {
                reachedClient = true;
                yield { type: 'tool_start', data: { run_id: runId, tool: call.name || 'unknown', input: call.args ?? {} } };
              }
              continue;
            }
            fallbackText = textOf(last.content);
            if (tokenSource === null && fallbackText) {
              tokenSource = 'updates';
              if (pendingNewResponse) {
                pendingNewResponse = false;
                yield { type: 'new_response', data: {} };
              }
              reachedClient = true;
              texts.push(fallbackText);
              yield { type: 'token', data: { content: fallbackText, source: 'updates' } };
            }
            for (const reasoning of reasoningOf(last)) {
              if (reasoningSeen.has(reasoning)) continue;
              reasoningSeen.add(reasoning);
              yield { type: 'reasoning', data: { run_id: runId, content: reasoning.slice(0, 1000) } };
            }
          } else if (node === 'tools') {
            for (const message of messages) {
              toolRan = true;
              const output = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
              yield { type: 'tool_end', data: { run_id: runId, tool: message.name || message.tool_call_id || 'tool', output } };
            }
            pendingNewResponse = true;
          }
        }
      }
      const content = texts.join('').trim() || fallbackText.trim();
      const record = recordFor(runId);
      yield {
        type: 'done',
        data: { content, session_id: input.sessionId, agent_id: input.agentId, run_id: runId, token_source: tokenSource ?? 'fallback', usage: record ? { ...record } : {} },
      };
      return { ok: true, content, runId, usage: record };
    } catch (error) {
      if (isRecursionLimit(error)) {
        const message = `Stopped after ${config.agent_runtime.max_steps} steps without a final answer (agent_runtime.max_steps).`;
        yield { type: 'error', data: { error: message, run_id: runId, attempt: attempt + 1, code: 'max_steps_reached' } };
        return { ok: false, content: texts.join('').trim(), runId, usage: recordFor(runId), error: { code: 'max_steps_reached', message } };
      }
      // A full or unwritable data folder is not the model's failure: the chat service reports it as such.
      if (isStorageFault(error)) throw error;
      // A stream that ended early reported no usage: what was sent and received is counted, estimated.
      const incomplete = incompleteStreamOf(error);
      if (incomplete && usage.addEstimate(`${runId}:${modelCalls}`, incomplete.estimate)) yield usageEvent(runId);
      const delay = retryDelayMs(error, attempt, config.llm_runtime.timeout_seconds * 1000);
      if (attempt < config.agent_runtime.max_retries && !reachedClient && !toolRan && delay !== null) {
        await sleep(delay);
        continue;
      }
      const code = incomplete ? 'model_stream_incomplete' : 'llm_error';
      const failure = incomplete ?? error;
      const message = redactSecrets(failure instanceof Error ? failure.message : String(failure)) || 'Model call failed';
      yield { type: 'error', data: { error: message, run_id: runId, attempt: attempt + 1, code } };
      return { ok: false, content: texts.join('').trim(), runId, usage: recordFor(runId), error: { code, message } };
    }
  }
  throw new Error('unreachable: the attempt loop always returns');
}

/** The run's tool declarations as LangChain tools; the tool-gate middleware intercepts every call to them. */
function langChainTools(runtime: LangChainRuntime, tools: RunTools, runId: string) {
  return tools.offered.map(
    (tool) =>
      new runtime.DynamicStructuredTool({
        name: tool.name,
        description: tool.description,
        schema: tool.schema,
        func: async (args: unknown, _runManager, config) => tools.execute({ name: tool.name, args, runId, signal: config?.signal }),
      }),
  );
}
