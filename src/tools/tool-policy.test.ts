import { describe, expect, it } from 'bun:test';
import { runtimeConfigSchema } from '../config/runtime-config.schema';
import { decideToolPolicy, type PolicyTool, type TriggerType } from './tool-policy';
import { isToolAllowed } from './tools.service';

const TOOLS: PolicyTool[] = [
  { name: 'terminal', aliases: ['exec'], level: 3, sandboxed: true },
  { name: 'python_repl', level: 3, sandboxed: true },
  { name: 'fetch_url', aliases: ['web_fetch'], level: 2 },
  { name: 'web_search', level: 2 },
  { name: 'read_file', aliases: ['read'], level: 0 },
  { name: 'read_files', level: 0 },
  { name: 'apply_patch', level: 1 },
  { name: 'search_knowledge_base', level: 0 },
  { name: 'search_memory', level: 0 },
  { name: 'sessions_list', level: 0 },
];
const TRIGGERS: TriggerType[] = ['chat', 'cron', 'heartbeat'];

/** Allowed tool names per trigger, for one config and sandbox fact. */
function matrix(config: Record<string, unknown>, sandboxAvailable = true) {
  const parsed = runtimeConfigSchema.parse(config);
  return Object.fromEntries(
    TRIGGERS.map((trigger) => [
      trigger,
      TOOLS.filter((tool) => decideToolPolicy(tool, trigger, parsed, { sandboxAvailable }).allowed).map(
        (tool) => tool.name,
      ),
    ]),
  );
}

describe('decideToolPolicy (trigger × tool × config)', () => {
  it('gives chat everything and autonomous runs their default allowlists', () => {
    expect(matrix({})).toEqual({
      chat: TOOLS.map((tool) => tool.name),
      cron: ['fetch_url', 'web_search', 'read_file', 'read_files', 'search_knowledge_base'],
      heartbeat: ['read_file', 'read_files', 'search_knowledge_base', 'search_memory'],
    });
  });

  it('removes chat_blocked_tools on every trigger, even when allowlisted, and an alias blocks its family', () => {
    const config = {
      autonomous_tools: {
        chat_blocked_tools: ['exec', 'web_search'],
        cron_enabled_tools: ['terminal', 'web_search', 'read'],
      },
    };
    expect(matrix(config)).toEqual({
      chat: [
        'python_repl',
        'fetch_url',
        'read_file',
        'read_files',
        'apply_patch',
        'search_knowledge_base',
        'search_memory',
        'sessions_list',
      ],
      cron: ['read_file'],
      heartbeat: ['read_file', 'read_files', 'search_knowledge_base', 'search_memory'],
    });
  });

  it('grants cron and heartbeat exactly their lists (an empty heartbeat list means no tools)', () => {
    const config = {
      autonomous_tools: { cron_enabled_tools: ['terminal', 'apply_patch'], heartbeat_enabled_tools: [] },
    };
    expect(matrix(config)).toEqual({
      chat: TOOLS.map((tool) => tool.name),
      cron: ['terminal', 'apply_patch'],
      heartbeat: [],
    });
  });

  it('never gives an unattended run an unsandboxed process tool, whatever the allowlist says', () => {
    const listed = {
      autonomous_tools: { cron_enabled_tools: ['terminal', 'python_repl'], heartbeat_enabled_tools: ['exec'] },
    };
    expect(matrix({ ...listed, tool_sandbox: { mode: 'off' } })).toEqual({
      chat: TOOLS.map((tool) => tool.name),
      cron: [],
      heartbeat: [],
    });
    expect(matrix(listed, false)).toEqual({
      chat: TOOLS.filter((tool) => !tool.sandboxed).map((tool) => tool.name),
      cron: [],
      heartbeat: [],
    });
    expect(matrix(listed, true)).toEqual({
      chat: TOOLS.map((tool) => tool.name),
      cron: ['terminal', 'python_repl'],
      heartbeat: ['terminal'],
    });
  });

  it('refuses process tools everywhere when no sandbox can start, in auto and required mode alike (never unsandboxed)', () => {
    for (const mode of ['auto', 'required']) {
      const config = { tool_sandbox: { mode }, autonomous_tools: { cron_enabled_tools: ['terminal', 'read'] } };
      expect(matrix(config, false).chat).toEqual(TOOLS.filter((tool) => !tool.sandboxed).map((tool) => tool.name));
      expect(matrix(config, false).cron).toEqual(['read_file']);
      const decision = decideToolPolicy(TOOLS[0]!, 'chat', runtimeConfigSchema.parse(config), {
        sandboxAvailable: false,
      });
      expect(decision).toEqual({
        allowed: false,
        rule: 'sandbox_required',
        reason: expect.stringContaining('bubblewrap is unavailable'),
      });
    }
  });

  it('explains a denial by rule', () => {
    const config = runtimeConfigSchema.parse({});
    expect(decideToolPolicy(TOOLS[0]!, 'cron', config, { sandboxAvailable: true })).toEqual({
      allowed: false,
      rule: 'not_allowlisted',
      reason: "Tool 'terminal' is not in autonomous_tools.cron_enabled_tools",
    });
    expect(isToolAllowed(TOOLS[4]!, 'heartbeat', config)).toBe(true);
  });
});
