// Public surface of agents: the service and directory, handles and leases, the storage port, workspace files and skills.
export {
  createAgentsService,
  type AgentMeta,
  type AgentsService,
  type AgentsServiceDeps,
  type SessionCounts,
} from './agents.service';
export {
  createAgentRegistry,
  DEFAULT_AGENT_ID,
  normalizeAgentId,
  type AgentDirectory,
  type AgentEvent,
  type AgentRegistry,
} from './agent-registry';
export {
  agentDeleted,
  type AgentHandle,
  type AgentIdentity,
  type AgentLease,
  type AgentResource,
  type ClosableStorage,
  type ResourceSlot,
} from './agent-handle';
export type { AgentMetaStore, AgentsPorts } from './agent-meta.port';
export { untilDeleted, watchDeletion, withLease, type DeletionWatch } from './with-lease';
export {
  indexWorkspaceFiles,
  readWorkspaceFile,
  resolveWorkspacePath,
  writeWorkspaceFile,
  type FileChangeListener,
} from './workspace-files';
export { scanAgentSkills, type SkillMeta } from './skills';
export { createFilesService, type FilesService, type FilesServiceDeps } from './files.service';
export type { FileTokens } from './file-tokens';
