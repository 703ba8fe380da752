// Public surface of scheduler: the service, its storage ports, job and run shapes, and the pre-run gate.
export { createSchedulerService, type SchedulerService, type SchedulerServiceDeps } from './scheduler.service';
export { createSchedulerManager, type SchedulerManager, type SchedulerManagerDeps } from './scheduler-manager';
export type {
  CatchUpPolicy,
  CronJob,
  CronRun,
  CronRunStatus,
  HeartbeatRun,
  HeartbeatStatus,
  HeartbeatStore,
  RunTrigger,
  SchedulerPorts,
  SchedulerStore,
} from './scheduler.port';
export type { SchedulerStorage } from './scheduler-storage';
export type { CronJobInput, CronJobPatch } from './cron-job-editor';
export type { HeartbeatConfig, HeartbeatPatch } from './heartbeat-settings';
export type { PreRunCheck, PreRunContext, PreRunDecision } from './pre-run-check';
export type { Timers } from './wake-timer';
export { cronSessionId } from './scheduled-turn';
export { MAX_RUNS_LIMIT } from './runs-limit';
export type { ScheduleType } from './schedules';
