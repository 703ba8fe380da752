// The storage ports the scheduler's work touches: its own stores, the sessions of its runs, and the usage ledger (budget gate).
import type { SessionPorts } from '../sessions';
import type { UsagePorts } from '../usage';
import type { SchedulerPorts } from './scheduler.port';

export type SchedulerStorage = SchedulerPorts & SessionPorts & UsagePorts;
