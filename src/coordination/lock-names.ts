// Names of the locks domains take through the Coordinator, in one place so every holder spells them alike.

/** The one live run of a chat session (409 `session_busy` for a second, different message). */
export function sessionRunLock(agentId: string, sessionId: string): string {
  return `session-run\u0000${agentId}\u0000${sessionId}`;
}

/** An agent being created or deleted: one replica at a time, and its rows gone before the id is free again. */
export function agentLifecycleLock(agentId: string): string {
  return `agent-lifecycle\u0000${agentId}`;
}

/** A cancel asked for a run that another replica runs: held by the asker until the run has ended. */
export function runCancelLock(agentId: string, runId: string): string {
  return `run-cancel\u0000${agentId}\u0000${runId}`;
}

/** A cron job's run in progress: a job never runs twice at once. */
export function cronJobLock(agentId: string, jobId: string): string {
  return `cron-job\u0000${agentId}\u0000${jobId}`;
}

/** An agent's scheduled heartbeat tick in progress: one replica ticks each slot. */
export function heartbeatLock(agentId: string): string {
  return `heartbeat\u0000${agentId}`;
}

/**
 * Prefixes of the locks agent `agentId`'s runs hold while they may write its rows (chat turns, cron runs, heartbeat
 * ticks), for Coordinator.heldLocks. They also find locks of ids that start with `agentId`: keep those that
 * `isAgentRunLock` accepts.
 */
export function agentRunLockPrefixes(agentId: string): string[] {
  return [sessionRunLock(agentId, ''), cronJobLock(agentId, ''), heartbeatLock(agentId)];
}

/** Whether lock `name` is held by a run of agent `agentId` (see agentRunLockPrefixes). */
export function isAgentRunLock(agentId: string, name: string): boolean {
  return (
    name === heartbeatLock(agentId) ||
    name.startsWith(sessionRunLock(agentId, '')) ||
    name.startsWith(cronJobLock(agentId, ''))
  );
}
