// TypeBox schemas shared by the routes: the envelopes and common parameters, for validation and OpenAPI.
import { t, type TSchema } from 'elysia';

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

/** The error answers a route can give, each with the envelope. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorEnvelope])) as Record<number, typeof ErrorEnvelope>;

export const AgentIdQuery = t.Optional(
  t.String({ minLength: 1, maxLength: 64, description: 'Agent id; default `default`' }),
);

/** Booleans in query strings: true/false, 1/0, yes/no, on/off. */
export const QueryBoolean = t.Optional(
  t.Union([t.Boolean(), t.Literal('true'), t.Literal('false'), t.Literal('1'), t.Literal('0'), t.Literal('yes'), t.Literal('no'), t.Literal('on'), t.Literal('off')]),
);

export function queryFlag(value: boolean | string | undefined): boolean {
  return value === true || value === 'true' || value === '1' || value === 'yes' || value === 'on';
}
