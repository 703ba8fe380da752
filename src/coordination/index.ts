// Public surface of coordination: the Coordinator port and its lock names (adapters are wired by deps.ts).
export type { Admission, Coordinator, Lock, StrikePolicy } from './coordinator.port';
export {
  agentLifecycleLock,
  agentRunLockPrefixes,
  cronJobLock,
  heartbeatLock,
  isAgentRunLock,
  runCancelLock,
  sessionRunLock,
} from './lock-names';
