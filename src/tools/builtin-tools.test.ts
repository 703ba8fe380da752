import { describe, expect, it } from 'bun:test';
import { KNOWN_TOOL_NAMES, runtimeConfigSchema } from '../config/runtime-config.schema';
import { createSandbox } from '../security/sandbox';
import { createBuiltinTools } from './builtin-tools';

describe('built-in tool catalogue', () => {
  it('matches the tool names the config accepts in its policy lists (names and aliases)', () => {
    const tools = createBuiltinTools({
      retrieval: { search: async () => [], searchAnswer: async () => ({ results: [], partial: false, pending: [] }) },
      sandbox: createSandbox({ bwrap: null }),
      env: {},
      serverApiOpen: false,
      python: '/usr/bin/python3',
    });
    const names = tools.flatMap((tool) => [tool.name, ...(tool.aliases ?? [])]).sort();
    expect(names).toEqual([...KNOWN_TOOL_NAMES].sort());
  });

  it('normalises policy lists and refuses unknown names, which would silently block nothing', () => {
    const parsed = runtimeConfigSchema.parse({
      autonomous_tools: { chat_blocked_tools: [' Terminal ', 'EXEC', 'terminal'] },
    });
    expect(parsed.autonomous_tools.chat_blocked_tools).toEqual(['terminal', 'exec']);
    const refused = runtimeConfigSchema.safeParse({ autonomous_tools: { cron_enabled_tools: ['terminall'] } });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues[0]!.path).toEqual(['autonomous_tools', 'cron_enabled_tools', 0]);
  });
});
