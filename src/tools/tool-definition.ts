// What a tool is and what it sees: its definition, the run's context, and what one run offers the model.
import type { z } from 'zod';
import type { RuntimeConfig } from '../config';
import type { AgentSessions } from '../sessions';
import type { ToolAuditStore } from './tool-audit.port';
import type { PermissionLevel, TriggerType } from './tool-policy';
import type { ToolOutcome } from './tool-result';

/** The agent's own sessions as the session tools read them. */
export type ToolSessions = Pick<AgentSessions, 'list' | 'find' | 'messages'>;

/** One run's view of the agent, shared by every tool call of that run. */
export interface ToolContext {
  agentId: string;
  /** Absolute agent folder: the tools' root and the terminal's working folder. */
  agentRoot: string;
  sessionId: string;
  triggerType: TriggerType;
  /** The config the run began with (what it offers the model). */
  config: RuntimeConfig;
  /**
   * The config in force now, read again for every call (its policy, sandbox, limits): a call can run long after its
   * run began (a step of a long run, a call approved hours later), and a tool the operator blocked meanwhile must not.
   * Without it every call runs under `config`.
   */
  currentConfig?: () => RuntimeConfig;
  /** Where every call of the run is audited (the agent's storage). */
  audit: ToolAuditStore;
  /** The agent's own sessions (sessions_list, session_history). */
  sessions: ToolSessions;
}

/** A single call: the run context plus the run id and the name the model used (an alias reports itself). */
export interface ToolCallContext extends ToolContext {
  runId: string;
  toolName: string;
  /** Aborted when the run is cancelled. */
  signal?: AbortSignal;
  /** The model that asked for the call (audited). */
  model?: string;
}

/** A tool; a catalogue holds `ToolDefinition` (arguments `unknown`), each checked by its own schema before `run`. */
export interface ToolDefinition<Args = unknown> {
  name: string;
  /** Extra names offered as separate tools with identical behaviour (`exec` for `terminal`). */
  aliases?: readonly string[];
  /** One short phrase the model reads. */
  description: string;
  level: PermissionLevel;
  /** Arguments as the model sees them (JSON Schema from zod); validated by the runner, not by LangChain. */
  schema: z.ZodType<Args>;
  /** Runs processes (terminal, python_repl): subject to the sandbox rules of the policy. */
  sandboxed?: boolean;
  run(args: Args, context: ToolCallContext): Promise<ToolOutcome>;
}

/** A tool declaration for the model: name, description and JSON Schema of its arguments. */
export interface OfferedTool {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

export interface RunTools {
  /** Declarations bound to the model: only what the policy allows for this run's trigger. */
  offered: OfferedTool[];
  /** Runs one call, offered or not, through the runner (policy, retry guard, audit); returns the JSON result. */
  execute(call: {
    name: string;
    args: unknown;
    runId: string;
    signal?: AbortSignal;
    model?: string;
    /** The model's id for the call (a paused run's checkpoint matches decisions to calls by it). */
    callId?: string;
  }): Promise<string>;
}
