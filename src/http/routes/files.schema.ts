// Wire shapes of /api/files and /api/skills.
import { t } from 'elysia';
import { AgentIdQuery, ok } from '../schemas';

export const FilePath = t.String({ minLength: 1, maxLength: 1024 });
export const FileContent = ok(t.Object({ path: t.String(), content: t.String() }));
export const FileSaved = ok(t.Object({ path: t.String(), saved: t.Boolean() }));
export const FileIndex = ok(t.Object({ agent_id: t.String(), workspace_root: t.String(), files: t.Array(t.String()) }));
export const SkillList = ok(t.Array(t.Object({ name: t.String(), description: t.String(), location: t.String() })));

export const SKILLS_DESCRIPTION =
  "The skills in the agent's `skills/` folder: the ones its prompt lists and the files API edits. New agents are seeded from the shared library in `<data>/skills`.";

export const FileQuery = t.Object({ path: FilePath, agent_id: AgentIdQuery });
export const FileBody = t.Object({ path: FilePath, content: t.String() });
export const PathsBody = t.Object({ paths: t.Array(t.String({ maxLength: 1024 }), { maxItems: 200 }) });
export const FileTokens = ok(
  t.Array(t.Object({ path: t.String(), tokens: t.Integer(), error: t.Optional(t.String()) })),
);
