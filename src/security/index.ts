// Public surface of security: path, URL and command guards, guarded file I/O, the process sandbox and the environment scrub.
export {
  createSandbox,
  DEFAULT_SANDBOX_LIMITS,
  PROBE_STOPPED,
  SANDBOX_AREAS,
  statusWithin,
  type Sandbox,
  type SandboxLimits,
  type SandboxOptions,
  type SandboxRequest,
  type SandboxStatus,
  type SandboxVariant,
  type SpawnPlan,
} from './sandbox';
export { prlimitArgs } from './sandbox-args';
export { PROBE_FOLDER_PREFIX } from './sandbox-probe';
export { checkAddress, checkLiteralHost, systemResolver, type HostResolver } from './url-guard';
export { MINIMAL_PATH, scrubEnvironment } from './env-scrub';
export { judgeCommand, type CommandVerdict } from './command-guard';
export { parseShell } from './shell-words';
export {
  openGuardedFile,
  readAgentTextFile,
  readGuardedBytes,
  readGuardedFile,
  removeGuardedFile,
  writeGuardedFile,
} from './guarded-io';
export { checkPathSyntax, guardPath, isProtectedAgentPath, recheckGuardedPath, type GuardedPath } from './path-guard';
