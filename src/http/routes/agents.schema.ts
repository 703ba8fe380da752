// Wire shapes of /api/agents: the agent row and the id, and the domain's AgentMeta as that row.
import { t } from 'elysia';
import type { AgentMeta } from '../../agents';
import { ok } from '../schemas';
import { LlmStatusSchema } from './llm.schema';

export const AgentRow = t.Object({
  agent_id: t.String(),
  path: t.String(),
  created_at: t.Number(),
  updated_at: t.Number(),
  active_sessions: t.Integer(),
  archived_sessions: t.Integer(),
});

// No maxLength: a too-long id is a malformed id, answered 400 `invalid_request` by the registry like any other.
export const AgentId = t.String({ minLength: 1, description: 'Agent id: [A-Za-z0-9_-]{1,64}, trimmed' });

export const toAgentRow = (meta: AgentMeta) => ({
  agent_id: meta.agentId,
  path: meta.path,
  created_at: meta.createdAt,
  updated_at: meta.updatedAt,
  active_sessions: meta.activeSessions,
  archived_sessions: meta.archivedSessions,
  ...(meta.error ? { error: meta.error } : {}),
});

/** On a listed agent whose storage cannot be read: the fault, as the agent's own routes answer it. */
const AgentStorageError = t.Object({
  code: t.String(),
  message: t.String(),
  details: t.Optional(t.Record(t.String(), t.Unknown())),
});

export const AgentList = ok(
  t.Array(t.Composite([AgentRow, t.Object({ llm_status: LlmStatusSchema, error: t.Optional(AgentStorageError) })])),
);
export const AgentAnswer = ok(AgentRow);
export const NewAgentBody = t.Object({ agent_id: AgentId });
export const AgentParams = t.Object({ agent_id: AgentId });
export const AgentDeleted = ok(t.Object({ deleted: t.Boolean(), agent_id: t.String() }));
