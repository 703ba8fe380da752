import { describe, expect, it } from 'bun:test';
import { runtimeConfigSchema } from '../config';
import { needsApproval } from './approval-policy';

const terminal = { name: 'terminal', aliases: ['exec'], level: 3 as const };
const readFile = { name: 'read_file', aliases: ['read'], level: 0 as const };

describe('needsApproval', () => {
  it('matches a tool by any name of its family or by its level, for the run trigger only', () => {
    const config = runtimeConfigSchema.parse({ tool_approvals: { chat: ['exec'], cron: ['l3', 'read'] } });
    expect(needsApproval(terminal, 'chat', config)).toBe(true);
    expect(needsApproval(readFile, 'chat', config)).toBe(false);
    expect(needsApproval(terminal, 'cron', config)).toBe(true);
    expect(needsApproval(readFile, 'cron', config)).toBe(true);
    expect(needsApproval(terminal, 'heartbeat', config)).toBe(false);
    expect(config.tool_approvals).toEqual({
      chat: ['exec'],
      cron: ['L3', 'read'],
      heartbeat: [],
      timeout_seconds: 86_400,
      max_pending: 100,
    });
  });
});
