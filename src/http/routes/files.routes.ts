// /api/files and /api/skills: read, write and index an agent's files, and list its skills.
import { Elysia, t } from 'elysia';
import type { AgentRegistry } from '../../agents/agent-registry';
import { scanAgentSkills } from '../../agents/skills';
import { indexWorkspaceFiles, readWorkspaceFile, writeWorkspaceFile, type FileChangeListener } from '../../agents/workspace-files';
import { AgentIdQuery, errors, ok } from '../schemas';

const FilePath = t.String({ minLength: 1, maxLength: 1024 });

export function fileRoutes(agents: AgentRegistry, listeners: Set<FileChangeListener>) {
  return new Elysia({ detail: { tags: ['files'] } })
    .get(
      '/api/files',
      ({ query }) => ({ data: { path: query.path, content: readWorkspaceFile(agents.get(query.agent_id).root, query.path) } }),
      {
        query: t.Object({ path: FilePath, agent_id: AgentIdQuery }),
        response: { 200: ok(t.Object({ path: t.String(), content: t.String() })), ...errors(400, 401, 403, 404, 422, 429, 500) },
        detail: { summary: 'Read a file under workspace/, memory/, skills/, knowledge/ or SKILLS_SNAPSHOT.md' },
      },
    )
    .post(
      '/api/files',
      ({ query, body }) => {
        writeWorkspaceFile(agents.get(query.agent_id).root, body.path, body.content, listeners);
        return { data: { path: body.path, saved: true } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        body: t.Object({ path: FilePath, content: t.String() }),
        response: { 200: ok(t.Object({ path: t.String(), saved: t.Boolean() })), ...errors(400, 401, 403, 413, 422, 429, 500) },
        detail: { summary: 'Write a file atomically (body up to 5 MiB)' },
      },
    )
    .get(
      '/api/files/index',
      ({ query }) => {
        const agent = agents.get(query.agent_id);
        return { data: { agent_id: agent.id, workspace_root: agent.root, files: indexWorkspaceFiles(agent.root) } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        response: {
          200: ok(t.Object({ agent_id: t.String(), workspace_root: t.String(), files: t.Array(t.String()) })),
          ...errors(400, 401, 404, 422, 429, 500),
        },
        detail: { summary: 'List the text files of an agent' },
      },
    )
    .get('/api/skills', ({ query }) => ({ data: scanAgentSkills(agents.get(query.agent_id).root) }), {
      query: t.Object({ agent_id: AgentIdQuery }),
      response: {
        200: ok(t.Array(t.Object({ name: t.String(), description: t.String(), location: t.String() }))),
        ...errors(401, 404, 422, 500),
      },
      detail: {
        tags: ['skills'],
        summary: "An agent's skills",
        description:
          'The skills in the agent\'s `skills/` folder: the ones its prompt lists and the files API edits. New agents are seeded from the shared library in `<data>/skills`.',
      },
    });
}
