// Changing an agent's heartbeat: the caller's fields checked and turned into the config keys they set.
import type { RuntimeConfig } from '../config';
import { validationError } from '../shared/app-error';
import { checkTimeZone } from './schedules';

const HEARTBEAT_SESSION_PATTERN = /^[A-Za-z0-9_:.-]{1,128}$/;

export type HeartbeatConfig = RuntimeConfig['heartbeat'];

/** What a caller may change; absent fields (and a blank zone or session id) keep their value. */
export interface HeartbeatPatch {
  enabled?: boolean;
  intervalSeconds?: number;
  timezone?: string;
  activeStartHour?: number;
  activeEndHour?: number;
  sessionId?: string;
}

/** The `heartbeat` config keys `patch` sets. 422 naming `timezone` (unknown zone) or `session_id` (bad id). */
export function heartbeatConfigPatch(patch: HeartbeatPatch): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  if (patch.enabled !== undefined) keys.enabled = patch.enabled;
  if (patch.intervalSeconds !== undefined) keys.interval_seconds = patch.intervalSeconds;
  if (patch.activeStartHour !== undefined) keys.active_start_hour = patch.activeStartHour;
  if (patch.activeEndHour !== undefined) keys.active_end_hour = patch.activeEndHour;
  const timezone = patch.timezone?.trim();
  if (timezone) keys.timezone = checkTimeZone(timezone);
  const sessionId = patch.sessionId?.trim();
  if (sessionId) {
    if (!HEARTBEAT_SESSION_PATTERN.test(sessionId))
      throw validationError('session_id', 'session_id must match [A-Za-z0-9_:.-]{1,128}');
    keys.session_id = sessionId;
  }
  return keys;
}
