// TypeBox schemas shared by the routes: the envelopes and common parameters, for validation and OpenAPI.
import { t, type TSchema } from 'elysia';
import { validationError } from '../shared/app-error';

/** `{ data: schema }`, the success envelope. */
export const ok = <T extends TSchema>(schema: T) => t.Object({ data: schema });

export const ErrorEnvelope = t.Object(
  {
    error: t.Object({
      code: t.String({ description: 'Stable lower snake_case error code' }),
      message: t.String(),
      details: t.Optional(t.Record(t.String(), t.Any())),
      request_id: t.String(),
    }),
  },
  { $id: '#/components/schemas/ErrorEnvelope', description: 'Every failure' },
);

/** Any route can meet a full (507) or unwritable (503) data folder. */
const STORAGE_FAULT_STATUSES = [503, 507];

/** The error answers a route can give, each with the envelope (503 and 507 always: storage faults). */
export const errors = (...statuses: number[]) =>
  Object.fromEntries([...statuses, ...STORAGE_FAULT_STATUSES].map((status) => [status, ErrorEnvelope])) as Record<
    number,
    typeof ErrorEnvelope
  >;

export const AgentIdQuery = t.Optional(
  t.String({ minLength: 1, maxLength: 64, description: 'Agent id; default `default`' }),
);

/** Booleans in query strings: true/false, 1/0, yes/no, on/off. */
export const QueryBoolean = t.Optional(
  t.Union([
    t.Boolean(),
    t.Literal('true'),
    t.Literal('false'),
    t.Literal('1'),
    t.Literal('0'),
    t.Literal('yes'),
    t.Literal('no'),
    t.Literal('on'),
    t.Literal('off'),
  ]),
);

export function queryFlag(value: boolean | string | undefined): boolean {
  return value === true || value === 'true' || value === '1' || value === 'yes' || value === 'on';
}

/** `value` as a plain JSON object, or 422 `validation_error` naming `field` (missing, or not an object). */
export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  const missing = value === undefined;
  throw missing
    ? validationError(field, 'Field required', 'missing')
    : validationError(field, 'Input should be a valid dictionary', 'dict_type');
}

/** A session id as it appears in paths and bodies. */
export const SessionId = t.String({ minLength: 1, maxLength: 200 });
export const SessionParams = t.Object({ session_id: SessionId });

/** `?agent_id=` alone. */
export const AgentQuery = t.Object({ agent_id: AgentIdQuery });
/** `?agent_id=&archived=`: which side of a session (archived or active) is meant. */
export const ArchivedQuery = t.Object({ archived: QueryBoolean, agent_id: AgentIdQuery });
