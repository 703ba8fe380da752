// The storage the scheduler uses: sessions for its runs, and the agent database until its stores move behind ports.
import type { Database } from 'bun:sqlite';
import type { SessionPorts } from '../sessions';
import type { UsagePorts } from '../usage';

export type SchedulerPorts = SessionPorts & UsagePorts & { db: Database };
