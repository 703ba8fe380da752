// Reads a Bun .cpuprofile and says where the main thread's CPU went inside labelled time windows, by area and by function.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** A labelled stretch of time in epoch milliseconds (the profile's clock is the wall clock, in µs). */
export interface ProfileWindow {
  label: string;
  fromMs: number;
  toMs: number;
  /** How many turns the window holds (1 when absent): figures are given per turn. */
  turns?: number;
}

/** Sampled CPU in one window: total, per area, and the functions that spent it. */
export interface WindowCost {
  label: string;
  /** How many turns the windows with this label held: figures are divided by it. */
  count: number;
  sampledMs: number;
  byArea: Map<string, number>;
  /** Self time by `function (file:line)`, with the area its time is counted in. */
  byFunction: Map<string, { ms: number; area: string }>;
  /** Inclusive time of the pieces of work in MARKERS. */
  byMarker: Map<string, number>;
}

/** Where a frame's file belongs: our modules by what they do, dependencies by package. */
const AREAS: [RegExp, string][] = [
  [/\/src\/chat\/(run-agent|message-text)\.ts/, 'ours: stream mapper (run-agent)'],
  [/\/src\/chat\/model-stream-guard\.ts/, 'ours: model stream guard'],
  [/\/src\/chat\/(token-counter)\.ts|\/js-tiktoken\//, 'token counting'],
  [/\/src\/chat\/(title|session-actions)\.ts/, 'ours: title'],
  [/\/src\/chat\/turn-recorder\.ts|\/src\/sessions\//, 'ours: session store (SQLite reads/writes)'],
  [/\/src\/usage\/|\/src\/chat\/auxiliary-usage\.ts/, 'ours: usage rows, pricing, budget'],
  [/\/src\/http\/sse\.ts|\/src\/chat\/live-run\.ts/, 'ours: SSE framing and fan-out'],
  [/\/src\/chat\/prompt-builder\.ts/, 'ours: system prompt'],
  [/\/src\/tools\//, 'ours: tool catalogue and audit'],
  [/\/src\/retrieval\//, 'ours: retrieval index'],
  [/\/src\/(http|app\.ts)/, 'ours: HTTP routes and guards'],
  [/\/src\//, 'ours: other (chat service, agents, model factory…)'],
  [/\/@langchain\/langgraph/, 'LangGraph'],
  [/\/node_modules\/langchain\//, 'LangChain createAgent and middleware'],
  [/\/@langchain\/core\//, 'LangChain core (runnables, callbacks, messages)'],
  [/\/@langchain\/openai\//, 'LangChain OpenAI adapter'],
  [/\/node_modules\/openai\//, 'OpenAI SDK (request, SSE parsing)'],
  [/\/node_modules\/langsmith\//, 'LangSmith helpers'],
  [/\/node_modules\/zod\//, 'zod'],
  [/\/node_modules\/(elysia|@elysiajs|@sinclair)\//, 'Elysia and TypeBox'],
  [/\/node_modules\//, 'other dependencies'],
  [/^bun:sqlite/, 'SQLite (bun:sqlite)'],
  [/^node:|^bun:|^internal:/, 'Bun built-in modules'],
];

const areaOfUrl = (url: string) => AREAS.find(([pattern]) => pattern.test(url))?.[1];

/**
 * Pieces of work counted inclusively: a sample counts for each piece one of whose frames is on its stack. Only
 * what runs synchronously under the frame is seen (an awaited continuation has a fresh stack), which suits
 * set-up work such as building the agent graph.
 */
const MARKERS: [string, (frame: CallFrame) => boolean][] = [
  [
    'createAgent: build and compile the agent graph',
    (frame) => frame.functionName === 'createAgent' && /\/langchain\/dist\/agents\//.test(frame.url),
  ],
  [
    'ChatOpenAI client construction',
    (frame) =>
      /^(ChatOpenAI|ChatOpenAICompletions|BaseChatOpenAI|OpenAI)$/.test(frame.functionName) &&
      /\/(@langchain\/openai|openai)\//.test(frame.url),
  ],
  [
    'tool wrappers (langChainTools, DynamicStructuredTool)',
    (frame) => frame.functionName === 'langChainTools' || frame.functionName === 'DynamicStructuredTool',
  ],
  ['tool catalogue for the run (forRun)', (frame) => /\/src\/tools\/tool-registry\.ts/.test(frame.url)],
  ['tool audit rows', (frame) => /\/src\/tools\/tool-audit/.test(frame.url)],
  ['system prompt build', (frame) => /\/src\/chat\/prompt-builder\.ts/.test(frame.url)],
  ['runtime config read (agent.config)', (frame) => /\/src\/config\/runtime-config/.test(frame.url)],
  ['budget check', (frame) => /\/src\/usage\/budget\.ts/.test(frame.url)],
  ['session store (any read or write)', (frame) => /\/src\/sessions\/session\.store\.ts/.test(frame.url)],
  ['turn recorder (live snapshot, stored reply)', (frame) => /\/src\/chat\/turn-recorder\.ts/.test(frame.url)],
  ['usage extraction per chunk', (frame) => /\/src\/usage\/usage-extraction\.ts/.test(frame.url)],
  [
    'usage rows and pricing',
    (frame) =>
      /\/src\/usage\/(record-usage|usage\.store|price-usage|pricing-catalog)\.ts|auxiliary-usage\.ts/.test(frame.url),
  ],
  ['title (proposeTitle, generateTitle)', (frame) => /\/src\/chat\/(title|session-actions)\.ts/.test(frame.url)],
  ['token counting (tiktoken)', (frame) => /token-counter\.ts|\/js-tiktoken\//.test(frame.url)],
  ['retrieval index', (frame) => /\/src\/retrieval\//.test(frame.url)],
  ['SSE framing and writes (sse.ts)', (frame) => /\/src\/http\/sse\.ts/.test(frame.url)],
  [
    'runAgentTurn, synchronous part (agent set-up, event mapping)',
    (frame) => /\/src\/chat\/(run-agent|message-text)\.ts/.test(frame.url),
  ],
  [
    'LangChain callbacks (handleLLMNewToken, run managers)',
    (frame) => /\/@langchain\/core\/dist\/callbacks\//.test(frame.url),
  ],
  ['OpenAI SDK SSE parsing', (frame) => /\/openai\/(core\/streaming|internal\/decoders)/.test(frame.url)],
  ['SQLite calls (bun:sqlite)', (frame) => frame.url.startsWith('bun:sqlite')],
  ['JSON.parse / JSON.stringify (native)', (frame) => !frame.url && /^(parse|stringify)$/.test(frame.functionName)],
  ['Elysia request handling', (frame) => /\/node_modules\/elysia\//.test(frame.url)],
];

/** A Bun `.cpuprofile`: its samples with their wall-clock times, and the stacks they were taken in. */
export class CpuProfile {
  private readonly parent = new Map<number, number>();
  private readonly nodes = new Map<number, ProfileNode>();
  /** Sample times (epoch µs), their node and their weight (µs). */
  private readonly samples: { atUs: number; node: number; weightUs: number }[] = [];
  private readonly classified = new Map<number, { fn: string; area: string; markers: string[] }>();

  constructor(path: string) {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as {
      nodes: ProfileNode[];
      startTime: number;
      samples: number[];
      timeDeltas: number[];
    };
    for (const node of raw.nodes) {
      this.nodes.set(node.id, node);
      for (const child of node.children ?? []) this.parent.set(child, node.id);
    }
    const sorted = [...raw.timeDeltas].sort((a, b) => a - b);
    // A sample stands for the time until the next one, but no more than two typical intervals: a longer gap was idle.
    const capUs = 2 * (sorted[Math.floor(sorted.length / 2)] ?? 1000);
    let atUs = raw.startTime;
    raw.samples.forEach((node, index) => {
      atUs += raw.timeDeltas[index] ?? 0;
      this.samples.push({ atUs, node, weightUs: Math.min(raw.timeDeltas[index + 1] ?? capUs / 2, capUs) });
    });
  }

  /**
   * The area a sample's time counts in: that of the innermost frame with a source file (a native leaf such as
   * JSON.parse or SQLite's `run` counts for the code that called it); `gc` and stacks without any file apart.
   */
  private classify(nodeId: number): { fn: string; area: string; markers: string[] } {
    let known = this.classified.get(nodeId);
    if (!known) {
      const frames: CallFrame[] = [];
      for (let id: number | undefined = nodeId; id !== undefined; id = this.parent.get(id))
        frames.push(this.nodes.get(id)!.callFrame);
      const markers = MARKERS.filter(([, matches]) => frames.some(matches)).map(([label]) => label);
      known = { ...this.classifyUncached(nodeId), markers };
      this.classified.set(nodeId, known);
    }
    return known;
  }

  private classifyUncached(nodeId: number): { fn: string; area: string } {
    const name = (frame: CallFrame) =>
      `${frame.functionName || '(anonymous)'} (${frame.url.replace(/^.*\/(node_modules|src)\//, '$1/')}${frame.lineNumber > 0 ? `:${frame.lineNumber}` : ''})`;
    const leaf = this.nodes.get(nodeId)!.callFrame;
    if (leaf.functionName === '(garbage collector)' || leaf.functionName === 'gc')
      return { fn: 'gc [native]', area: 'garbage collection' };
    const ancestors: CallFrame[] = [];
    for (let id: number | undefined = nodeId; id !== undefined; id = this.parent.get(id))
      ancestors.push(this.nodes.get(id)!.callFrame);
    const innermost = ancestors.find((frame) => areaOfUrl(frame.url));
    if (innermost) {
      // A leaf outside our code and packages (JSON.parse, SQLite's `run`, TextEncoder…) is named with the code that called it.
      const caller = ancestors.find((frame) => /\/(src|node_modules)\//.test(frame.url));
      const fn =
        innermost === leaf || !caller
          ? name(innermost === leaf ? leaf : innermost)
          : `${leaf.functionName || '(anonymous)'} ← ${name(caller)}`;
      return { fn, area: areaOfUrl(innermost.url)! };
    }
    return {
      fn: `${leaf.functionName || '(anonymous)'} [native]`,
      area: 'runtime: native with no JS caller (event loop, I/O)',
    };
  }

  /** The cost of each label, adding up every window that carries it. */
  costs(windows: ProfileWindow[]): WindowCost[] {
    const byLabel = new Map<string, WindowCost>();
    for (const window of windows) {
      const cost = byLabel.get(window.label) ?? {
        label: window.label,
        count: 0,
        sampledMs: 0,
        byArea: new Map(),
        byFunction: new Map(),
        byMarker: new Map(),
      };
      byLabel.set(window.label, cost);
      cost.count += window.turns ?? 1;
      for (const sample of this.samples) {
        if (sample.atUs < window.fromMs * 1000 || sample.atUs >= window.toMs * 1000) continue;
        const ms = sample.weightUs / 1000;
        const { fn, area, markers } = this.classify(sample.node);
        cost.sampledMs += ms;
        for (const marker of markers) cost.byMarker.set(marker, (cost.byMarker.get(marker) ?? 0) + ms);
        cost.byArea.set(area, (cost.byArea.get(area) ?? 0) + ms);
        const entry = cost.byFunction.get(fn) ?? { ms: 0, area };
        entry.ms += ms;
        cost.byFunction.set(fn, entry);
      }
    }
    return [...byLabel.values()];
  }
}

const top = <T>(map: Map<string, T>, value: (item: T) => number, count: number) =>
  [...map.entries()].sort((a, b) => value(b[1]) - value(a[1])).slice(0, count);

/** A markdown report of `costs`: per label, the areas and the top functions, in ms per turn and in percent. */
export function formatCosts(title: string, costs: WindowCost[], topFunctions = 25): string {
  const lines = [
    `# ${title}`,
    '',
    "Main-thread samples of Bun's CPU profiler inside the windows, per turn. A sample counts for the time to the next one, at most two sampling intervals (a longer gap was idle). A native leaf (JSON, SQLite, encoders) is named with the function that called it.",
    '',
  ];
  for (const cost of costs) {
    const per = (ms: number) => (ms / cost.count).toFixed(3);
    const share = (ms: number) => `${((100 * ms) / (cost.sampledMs || 1)).toFixed(1)}%`;
    lines.push(
      `## ${cost.label}: ${per(cost.sampledMs)} ms sampled per turn (${cost.count} turns)`,
      '',
      '| area | ms per turn | share |',
      '|---|---:|---:|',
    );
    for (const [area, ms] of top(cost.byArea, (ms) => ms, 40)) lines.push(`| ${area} | ${per(ms)} | ${share(ms)} |`);
    lines.push('', '| piece of work (inclusive, synchronous part) | ms per turn | share |', '|---|---:|---:|');
    for (const [marker, ms] of top(cost.byMarker, (ms) => ms, MARKERS.length))
      lines.push(`| ${marker} | ${per(ms)} | ${share(ms)} |`);
    lines.push('', '| function (self time) | area | ms per turn | share |', '|---|---|---:|---:|');
    for (const [fn, entry] of top(cost.byFunction, (entry) => entry.ms, topFunctions))
      lines.push(`| \`${fn}\` | ${entry.area} | ${per(entry.ms)} | ${share(entry.ms)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Reads `<dir>/<name>.cpuprofile` over the windows in `<dir>/<name>.windows.json` and writes `<dir>/<name>.window.md`. */
export function writeWindowReport(dir: string, name: string): WindowCost[] {
  const windows = JSON.parse(readFileSync(join(dir, `${name}.windows.json`), 'utf8')) as ProfileWindow[];
  const costs = new CpuProfile(join(dir, `${name}.cpuprofile`)).costs(windows);
  writeFileSync(join(dir, `${name}.window.md`), formatCosts(`${name}: where the main thread's time went`, costs));
  return costs;
}
