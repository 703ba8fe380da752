// The ports bundle of one agent: every domain's storage ports, opened and closed together with the agent's handle.
import type { AgentsPorts } from '../agents';
import type { ApprovalPorts, RunCheckpointPorts, RunPorts } from '../chat';
import type { SchedulerPorts } from '../scheduler';
import type { SessionPorts } from '../sessions';
import type { ToolPorts } from '../tools';
import type { UsagePorts } from '../usage';

/** What `AgentHandle.storage` holds; each domain's services ask only for their part of it. */
export interface AgentStorage
  extends AgentsPorts,
    SessionPorts,
    ToolPorts,
    UsagePorts,
    SchedulerPorts,
    RunPorts,
    ApprovalPorts,
    RunCheckpointPorts {}
