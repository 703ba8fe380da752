// /api/tokens: token counts of a session's prompt and messages, and of files.
import { statSync } from 'node:fs';
import { Elysia, t } from 'elysia';
import type { AgentRegistry } from '../../agents/agent-registry';
import { readWorkspaceFile, resolveWorkspacePath } from '../../agents/workspace-files';
import type { PromptBuilder } from '../../chat/prompt-builder';
import { countTokens } from '../../chat/token-counter';
import { AgentIdQuery, errors, ok, SessionParams } from '../schemas';

/** Bytes one request may tokenise across all its files. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const MAX_FILE_BYTES = 5 * 1024 * 1024;

interface FileTokens {
  path: string;
  tokens: number;
  error?: string;
}

/** Tokens of one workspace file, within what is left of the request's byte budget. */
function countFileTokens(agentRoot: string, path: string, budget: { bytes: number }): FileTokens {
  let absolute: string;
  try {
    absolute = resolveWorkspacePath(agentRoot, path).absolute;
  } catch {
    // Reported per file: one refused path does not fail the whole count.
    return { path, tokens: 0, error: 'invalid_path' };
  }
  try {
    const stats = statSync(absolute);
    if (!stats.isFile()) return { path, tokens: 0, error: 'not_found' };
    if (stats.size > MAX_FILE_BYTES || stats.size > budget.bytes) return { path, tokens: 0, error: 'too_large' };
    budget.bytes -= stats.size;
  } catch {
    // Reported per file: missing or unreadable.
    return { path, tokens: 0, error: 'not_found' };
  }
  try {
    return { path, tokens: countTokens(readWorkspaceFile(agentRoot, path)) };
  } catch {
    // Reported per file: the guarded read refused it (say, a link swapped in since the stat).
    return { path, tokens: 0, error: 'invalid_path' };
  }
}

export function tokenRoutes(agents: AgentRegistry, prompts: PromptBuilder) {
  return new Elysia({ prefix: '/api/tokens', detail: { tags: ['tokens'] } })
    .get(
      '/session/:session_id',
      ({ params, query }) => {
        const agent = agents.get(query.agent_id);
        agent.sessions.get(params.session_id);
        const messages = agent.sessions.messages(params.session_id);
        const prompt = prompts.build(agent.root, agent.config(), { isFirstTurn: messages.length === 0, isFirstConversation: false });
        const systemTokens = countTokens(prompt);
        const messageTokens = messages.reduce((sum, message) => sum + countTokens(message.content), 0);
        return {
          data: { session_id: params.session_id, agent_id: agent.id, system_tokens: systemTokens, message_tokens: messageTokens, total_tokens: systemTokens + messageTokens },
        };
      },
      {
        params: SessionParams,
        query: t.Object({ agent_id: AgentIdQuery }),
        response: {
          200: ok(t.Object({ session_id: t.String(), agent_id: t.String(), system_tokens: t.Integer(), message_tokens: t.Integer(), total_tokens: t.Integer() })),
          ...errors(400, 401, 404, 422, 429, 500),
        },
        detail: { summary: 'Tokens of the system prompt and the stored messages (o200k_base)' },
      },
    )
    .post(
      '/files',
      ({ body, query }) => {
        const agent = agents.get(query.agent_id);
        // One request tokenises at most MAX_REQUEST_BYTES in all; a path listed twice is counted once.
        const budget = { bytes: MAX_REQUEST_BYTES };
        const counted = new Map<string, FileTokens>();
        return {
          data: body.paths.map((path) => {
            const result = counted.get(path) ?? countFileTokens(agent.root, path, budget);
            counted.set(path, result);
            return result;
          }),
        };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        body: t.Object({ paths: t.Array(t.String({ maxLength: 1024 }), { maxItems: 200 }) }),
        response: {
          200: ok(t.Array(t.Object({ path: t.String(), tokens: t.Integer(), error: t.Optional(t.String()) }))),
          ...errors(400, 401, 404, 422, 429, 500),
        },
        detail: { summary: 'Tokens of files (same areas as the files API)' },
      },
    );
}
