// The server thread's side of the model workers: spreads calls over them, carries tool calls back, survives a worker's death.
import { secondEntry } from '../../shared/build-files';
import type { Logger } from '../../shared/logger';
import type { ToolGateHooks } from '../tool-gate-middleware';
import { ItemQueue } from './item-queue';
import type { AgentStreamCore, ToServerThread, ToWorker, WireInvokeRequest, WireMessage } from './wire';
import { fromWireError, toWireError } from './wire-error';

interface Call {
  worker: PooledWorker;
  queue?: ItemQueue;
  hooks?: ToolGateHooks;
  /** A tool call that threw here: the stream's failure is reported as this error, not its copy. */
  toolFailure?: unknown;
  settle?: { resolve(reply: unknown): void; reject(error: unknown): void };
}

interface PooledWorker {
  thread: Worker;
  calls: number;
}

/** Model calls spread over worker threads (APP_MODEL_WORKERS): LangChain runs there, tools and storage stay here. */
export class ModelWorkerPool {
  private readonly workers: PooledWorker[] = [];
  private readonly calls = new Map<number, Call>();
  private nextId = 1;
  private closed = false;
  /** Calls (streams, one-shot calls, loads, cache reports) sent to a worker so far. */
  started = 0;

  constructor(
    readonly size: number,
    private readonly logger?: Logger,
  ) {}

  /** The raw items of one attempt, as `streamAgentHere` would give them, in plain form. */
  stream(core: AgentStreamCore, hooks: ToolGateHooks, signal?: AbortSignal): Promise<AsyncIterable<unknown>> {
    const worker = this.pick();
    const id = this.nextId++;
    const onAbort = () => this.send(worker, { kind: 'abort', id });
    const queue = new ItemQueue(() => {
      signal?.removeEventListener('abort', onAbort);
      // Still in flight: the reader stopped early, so the worker stops too.
      if (!this.calls.delete(id)) return;
      worker.calls--;
      this.send(worker, { kind: 'abort', id });
    });
    this.calls.set(id, { worker, queue, hooks });
    worker.calls++;
    this.started++;
    this.send(worker, { kind: 'stream', id, request: { ...core, followSteps: hooks.modelStep !== undefined } });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return Promise.resolve(queue);
  }

  /**
   * One non-streamed call (titles, summaries): the reply message in plain form. `signal` aborts it: the call
   * rejects with its reason at once, and the worker aborts the request it sent.
   */
  invoke(request: WireInvokeRequest, signal?: AbortSignal): Promise<WireMessage> {
    return this.request({ kind: 'invoke', id: 0, request }, this.pick(), signal) as Promise<WireMessage>;
  }

  /** Loads LangChain in every worker (warming at start). */
  async load(): Promise<void> {
    while (this.workers.length < this.size) this.spawn();
    await Promise.all(this.workers.map((worker) => this.request({ kind: 'load', id: 0 }, worker)));
  }

  /** Drops, in every worker, the clients made for an endpoint that is gone (as forgetChatModels does on this thread). */
  forget(baseUrl: string): void {
    for (const worker of this.workers) this.send(worker, { kind: 'forget', id: 0, baseUrl });
  }

  /** The endpoints of the clients the workers keep now (what a test reads). */
  async cachedUrls(): Promise<string[]> {
    const lists = await Promise.all(this.workers.map((worker) => this.request({ kind: 'cached', id: 0 }, worker)));
    return (lists as string[][]).flat();
  }

  /** The worker threads running now (they start on first use). */
  threads(): Worker[] {
    return this.workers.map((worker) => worker.thread);
  }

  /** Ends every worker; calls in flight fail. */
  close(): void {
    this.closed = true;
    for (const worker of [...this.workers]) this.lose(worker, 'the model workers were closed');
  }

  private request(
    message: Extract<ToWorker, { kind: 'invoke' | 'load' | 'cached' }>,
    worker = this.pick(),
    signal?: AbortSignal,
  ): Promise<unknown> {
    signal?.throwIfAborted();
    const id = this.nextId++;
    const onAbort = () => {
      const call = this.calls.get(id);
      if (!call) return;
      this.calls.delete(id);
      worker.calls--;
      this.send(worker, { kind: 'abort', id });
      this.fail(call, signal?.reason);
    };
    const settled = new Promise((resolve, reject) => {
      this.calls.set(id, { worker, settle: { resolve, reject } });
      worker.calls++;
      this.started++;
      this.send(worker, { ...message, id });
    });
    if (!signal) return settled;
    signal.addEventListener('abort', onAbort, { once: true });
    return settled.finally(() => signal.removeEventListener('abort', onAbort));
  }

  /** The worker with the fewest calls in flight; a new one while fewer than `size` run and all are busy. */
  private pick(): PooledWorker {
    if (this.closed) throw new Error('The model workers are closed.');
    let best: PooledWorker | undefined;
    for (const worker of this.workers) if (!best || worker.calls < best.calls) best = worker;
    if (!best || (best.calls > 0 && this.workers.length < this.size)) return this.spawn();
    return best;
  }

  private spawn(): PooledWorker {
    const thread = new Worker(WORKER_ENTRY, {
      smol: process.execArgv.includes('--smol'),
      // One environment for both threads: the tracing switch (OBS_TRACING_ENABLED) changes it at run time.
      env: shareEnv(),
      ref: false,
    });
    const worker: PooledWorker = { thread, calls: 0 };
    this.logger?.debug('model worker started', { entry: WORKER_ENTRY.href, workers: this.workers.length + 1 });
    thread.addEventListener('message', (event: MessageEvent<ToServerThread>) => this.receive(event.data));
    thread.addEventListener('error', (event) => this.lose(worker, `a model worker failed: ${event.message}`));
    thread.addEventListener('close', () => this.lose(worker, 'a model worker stopped'));
    this.workers.push(worker);
    return worker;
  }

  /** A worker died (or the pool closed): its calls fail, and the next call starts a new one. */
  private lose(worker: PooledWorker, reason: string): void {
    const at = this.workers.indexOf(worker);
    if (at < 0) return;
    this.workers.splice(at, 1);
    worker.thread.terminate();
    for (const [id, call] of this.calls) {
      if (call.worker !== worker) continue;
      this.calls.delete(id);
      this.fail(call, new Error(`The model call ended: ${reason}.`));
    }
  }

  private send(worker: PooledWorker, message: ToWorker): void {
    if (this.workers.includes(worker)) worker.thread.postMessage(message);
  }

  private fail(call: Call, error: unknown): void {
    call.queue?.fail(error);
    call.settle?.reject(error);
  }

  private receive(message: ToServerThread): void {
    const call = this.calls.get(message.id);
    if (!call) return;
    switch (message.kind) {
      case 'items':
        call.queue?.push(message.items);
        return;
      case 'model_step':
        call.hooks?.modelStep?.(message.message);
        return;
      case 'tool_call':
        void this.runTool(message.id, call, message.seq, message.call);
        return;
      case 'end':
      case 'reply':
      case 'loaded':
      case 'cached':
      case 'error':
        this.calls.delete(message.id);
        call.worker.calls--;
        if (message.kind === 'error') this.fail(call, call.toolFailure ?? fromWireError(message.chain));
        else if (message.kind === 'end') call.queue?.end();
        else if (message.kind === 'cached') call.settle?.resolve(message.urls);
        else call.settle?.resolve(message.kind === 'reply' ? message.reply : null);
    }
  }

  private async runTool(id: number, call: Call, seq: number, toolCall: { id?: string; name: string; args: unknown }) {
    const hooks = call.hooks!;
    try {
      const content = await hooks.execute({ name: toolCall.name, args: toolCall.args, callId: toolCall.id });
      hooks.toolStep?.(toolCall.id ?? '', toolCall.name, content);
      this.send(call.worker, { kind: 'tool_result', id, seq, content });
    } catch (error) {
      call.toolFailure = error;
      this.send(call.worker, { kind: 'tool_failed', id, seq, chain: toWireError(error) });
    }
  }
}

/**
 * The worker's entry: package.json's `build` and scripts/bundle.ts list it as a second entry point, which the
 * binary and the bundle keep beside their main entry (`secondEntry`, src/shared/build-files.ts).
 */
const WORKER_ENTRY = secondEntry('chat/model-worker/worker-entry.ts', new URL('./worker-entry.ts', import.meta.url));

/** node:worker_threads' SHARE_ENV, loaded on the first spawn: importing the module costs a server with no workers 2–3 ms at start. */
const shareEnv = () =>
  (require('node:worker_threads') as typeof import('node:worker_threads')).SHARE_ENV as NonNullable<
    ConstructorParameters<typeof Worker>[1]
  >['env'];

let configured = 0;
let pool: ModelWorkerPool | undefined;
let poolLogger: Logger | undefined;

/**
 * How many model workers calls use from now on (0: LangChain runs on the server thread). A changed count replaces the
 * pool. The first `logger` given is told (at debug) of each worker started and the entry it runs; later ones are not
 * taken (warming's scratch copy of the server passes a silent one, and must not silence the live server's).
 */
export function configureModelWorkers(count: number, logger?: Logger): void {
  poolLogger ??= logger;
  if (count === configured) return;
  configured = count;
  pool?.close();
  pool = undefined;
}

/** Drops an endpoint's clients in the model workers running now, if there are any (see ModelWorkerPool.forget). */
export function forgetInModelWorkers(baseUrl: string): void {
  pool?.forget(baseUrl);
}

/** The pool calls go through, or null when LangChain runs on the server thread. */
export function modelWorkerPool(): ModelWorkerPool | null {
  if (configured <= 0) return null;
  pool ??= new ModelWorkerPool(configured, poolLogger);
  return pool;
}
