import { describe, expect, it } from 'bun:test';
import { byFunction, byTier, parseCompileReport } from './jit-compile.bench';

const REPORT = [
  'Optimized setName#DVSAwO:[0x53e643f88e0->0x53e6513c480, LLIntFunctionCall, 58 (StrictMode)] using Baseline with Baseline into 1408 bytes in 0.159998 ms.',
  '{"level":"warn","msg":"a line of the server\'s own"}',
  'Optimized iterateContent#C2Ok5C:[0x53e6b9fa240->0x53e65d797c0->0x53e6e20a880, NoneFunctionCall, 387 (StrictMode)] using DFG with DFG into 2816 bytes in 1.341048 ms.',
  'Optimized iterateContent#C2Ok5C:[0x53e7045a400->0x53e65d797c0->0x53e6e20a880, NoneFunctionCall, 387 (DidTryToEnterInLoop) (StrictMode)] using DFG with DFG into 2816 bytes in 0.865018 ms.',
  'Optimized #DpUndW:[0x1->0x2, NoneFunctionCall, 12] using FTL with FTL into 900 bytes in 2.5 ms.',
].join('\n');

describe('the JIT compile log', () => {
  it("reads each compilation's function, tier and time, and skips the server's other lines", () => {
    expect(parseCompileReport(REPORT)).toEqual([
      { name: 'setName#DVSAwO', tier: 'Baseline', ms: 0.159998 },
      { name: 'iterateContent#C2Ok5C', tier: 'DFG', ms: 1.341048 },
      { name: 'iterateContent#C2Ok5C', tier: 'DFG', ms: 0.865018 },
      { name: '#DpUndW', tier: 'FTL', ms: 2.5 },
    ]);
  });

  it('sums by tier and by function, the costliest function first', () => {
    const compilations = parseCompileReport(REPORT);
    expect(Object.fromEntries(byTier(compilations))).toEqual({
      Baseline: { count: 1, ms: 0.159998 },
      DFG: { count: 2, ms: 1.341048 + 0.865018 },
      FTL: { count: 1, ms: 2.5 },
    });
    const functions = byFunction(compilations);
    expect(functions.map((fn) => fn.name)).toEqual(['#DpUndW', 'iterateContent#C2Ok5C', 'setName#DVSAwO']);
    expect(Object.fromEntries(functions[1]!.tiers)).toEqual({ DFG: 2 });
  });
});
