// Public surface of security: path, URL and command guards, guarded file I/O, the process sandbox and the environment scrub.
export { createSandbox, DEFAULT_SANDBOX_LIMITS, SANDBOX_AREAS, type Sandbox, type SandboxLimits, type SandboxOptions, type SandboxRequest, type SandboxStatus, type SandboxVariant, type SpawnPlan } from './sandbox';
export { systemResolver, type HostResolver } from './url-guard';
export { MINIMAL_PATH, scrubEnvironment } from './env-scrub';
