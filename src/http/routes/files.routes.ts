// /api/files and /api/skills: read, write and index an agent's files, and list its skills.
import { Elysia } from 'elysia';
import type { FilesService } from '../../agents';
import { AgentQuery, errors } from '../schemas';
import { FileBody, FileContent, FileIndex, FileQuery, FileSaved, SKILLS_DESCRIPTION, SkillList } from './files.schema';

export function fileRoutes(files: Pick<FilesService, 'read' | 'write' | 'index' | 'skills'>) {
  return new Elysia({ detail: { tags: ['files'] } })
    .get(
      '/api/files',
      ({ query }) => ({ data: { path: query.path, content: files.read(query.agent_id, query.path) } }),
      {
        query: FileQuery,
        response: { 200: FileContent, ...errors(400, 401, 403, 404, 422, 429, 500) },
        detail: { summary: 'Read a file under workspace/, memory/, skills/, knowledge/ or SKILLS_SNAPSHOT.md' },
      },
    )
    .post(
      '/api/files',
      ({ query, body }) => {
        files.write(query.agent_id, body.path, body.content);
        return { data: { path: body.path, saved: true } };
      },
      {
        query: AgentQuery,
        body: FileBody,
        response: { 200: FileSaved, ...errors(400, 401, 403, 413, 422, 429, 500) },
        detail: { summary: 'Write a file atomically (body up to 5 MiB)' },
      },
    )
    .get(
      '/api/files/index',
      ({ query }) => {
        const { agentId, root, files: paths } = files.index(query.agent_id);
        return { data: { agent_id: agentId, workspace_root: root, files: paths } };
      },
      {
        query: AgentQuery,
        response: { 200: FileIndex, ...errors(400, 401, 404, 422, 429, 500) },
        detail: { summary: 'List the text files of an agent' },
      },
    )
    .get('/api/skills', ({ query }) => ({ data: files.skills(query.agent_id) }), {
      query: AgentQuery,
      response: { 200: SkillList, ...errors(401, 404, 422, 500) },
      detail: { tags: ['skills'], summary: "An agent's skills", description: SKILLS_DESCRIPTION },
    });
}
