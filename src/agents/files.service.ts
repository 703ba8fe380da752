// FilesService: an agent's workspace files through the files API (read, write, index), its skills, and file token counts.
import type { AgentDirectory } from './agent-registry';
import { countFileTokens, MAX_REQUEST_BYTES, type FileTokens } from './file-tokens';
import { scanAgentSkills, type SkillMeta } from './skills';
import { indexWorkspaceFiles, readWorkspaceFile, writeWorkspaceFile, type FileChangeListener } from './workspace-files';

export interface FilesService {
  /** A text file under workspace/, memory/, skills/, knowledge/ or SKILLS_SNAPSHOT.md. 403 outside them, 404 when missing. */
  read(agentId: string | undefined, path: string): string;
  /** Writes atomically and tells the listeners (the retrieval index); refreshes the skills snapshot after a skills change. */
  write(agentId: string | undefined, path: string, content: string): void;
  /** The agent's text files (sorted, at most 1000) and its folder. */
  index(agentId: string | undefined): { agentId: string; root: string; files: string[] };
  skills(agentId: string | undefined): SkillMeta[];
  /** Tokens of each path (a path listed twice is counted once; 8 MiB in all per call). */
  countTokens(agentId: string | undefined, paths: readonly string[]): Promise<FileTokens[]>;
}

export interface FilesServiceDeps {
  agents: AgentDirectory;
  /** Told of every write (the retrieval domain refreshes its index). */
  listeners: Iterable<FileChangeListener>;
  /** The chat model's tokenizer (which may return to the event loop while it counts). */
  countTokens(text: string): Promise<number>;
}

export function createFilesService({ agents, listeners, countTokens }: FilesServiceDeps): FilesService {
  return {
    read: (agentId, path) => readWorkspaceFile(agents.get(agentId).root, path),
    write: (agentId, path, content) => writeWorkspaceFile(agents.get(agentId).root, path, content, listeners),
    index(agentId) {
      const agent = agents.get(agentId);
      return { agentId: agent.id, root: agent.root, files: indexWorkspaceFiles(agent.root) };
    },
    skills: (agentId) => scanAgentSkills(agents.get(agentId).root),
    async countTokens(agentId, paths) {
      const agent = agents.get(agentId);
      const budget = { bytes: MAX_REQUEST_BYTES };
      const counted = new Map<string, FileTokens>();
      const results: FileTokens[] = [];
      for (const path of paths) {
        const result = counted.get(path) ?? (await countFileTokens(agent.root, path, budget, countTokens));
        counted.set(path, result);
        results.push(result);
      }
      return results;
    },
  };
}
