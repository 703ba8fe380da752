// sessions_list and session_history: read-only views of the agent's own sessions.
import { z } from 'zod';
import type { ToolDefinition } from '../tool-definition';
import { capText, failure, success } from '../tool-result';

const listSchema = z.object({
  scope: z.enum(['active', 'archived', 'all']).optional().describe('Which sessions (default active)'),
  limit: z.number().int().min(1).max(100).optional().describe('Most sessions, newest first (default 20)'),
});
const historySchema = z.object({
  session_id: z.string().trim().min(1).max(128).describe('The session to read'),
  limit: z.number().int().min(1).max(200).optional().describe('The last N messages (default 50)'),
  max_chars: z.number().int().min(100).max(100_000).optional().describe('Most characters per message (default 2000)'),
});

export function createSessionsListTool(): ToolDefinition<z.output<typeof listSchema>> {
  return {
    name: 'sessions_list',
    description: "List this agent's chat sessions, newest first.",
    level: 0,
    schema: listSchema,
    async run({ scope = 'active', limit = 20 }, context) {
      const sessions = await context.sessions.list(scope);
      return success(
        {
          scope,
          total: sessions.length,
          sessions: sessions.slice(0, limit).map((session) => ({
            session_id: session.sessionId,
            title: session.title,
            created_at: session.createdAt,
            updated_at: session.updatedAt,
            archived: session.archived,
            current: session.sessionId === context.sessionId,
          })),
        },
        { truncated: sessions.length > limit },
      );
    },
  };
}

export function createSessionHistoryTool(): ToolDefinition<z.output<typeof historySchema>> {
  return {
    name: 'session_history',
    description: "Read the messages of one of this agent's sessions.",
    level: 0,
    schema: historySchema,
    async run({ session_id, limit = 50, max_chars = 2000 }, context) {
      const session = await context.sessions.find(session_id);
      if (!session) return failure('E_NOT_FOUND', `No session '${session_id}' for this agent`, { session_id });
      const stored = await context.sessions.messages(session_id);
      let truncated = stored.length > limit;
      const messages = stored.slice(-limit).map((message) => {
        const content = capText(message.content, max_chars);
        truncated ||= content.truncated;
        return {
          role: message.role,
          content: content.text,
          created_at: message.createdAt,
          ...(message.toolCalls?.length ? { tools_used: message.toolCalls.map((call) => call.tool) } : {}),
        };
      });
      return success(
        {
          session_id,
          title: session.title,
          archived: session.archived,
          total_messages: stored.length,
          messages,
          truncated,
        },
        { truncated },
      );
    },
  };
}
