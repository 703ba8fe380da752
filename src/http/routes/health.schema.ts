// Wire shapes of the health probes: the readiness answer and its sandbox details.
import { t } from 'elysia';
import { LlmStatusSchema } from './llm.schema';

const SandboxDetails = t.Object(
  {
    available: t.Boolean(),
    start: t.Union([t.String(), t.Null()]),
    proc: t.Boolean(),
    reason: t.Union([t.String(), t.Null()]),
  },
  {
    description:
      'Whether the tool sandbox works here; without it terminal and python_repl are refused (unless tool_sandbox.mode is off)',
  },
);
export const Details = t.Object(
  { sandbox: SandboxDetails, llm: LlmStatusSchema },
  { description: 'Left out (like `reason` and `code`) when APP_API_TOKEN is set and the request does not carry it' },
);

export const NotReady = t.Object({
  status: t.String({ description: '`starting` (also while stopping) or `not_ready`' }),
  reason: t.Optional(t.String({ description: 'Why not ready, e.g. the data folder is read-only or full' })),
  code: t.Optional(t.String({ description: '`storage_unavailable` or `insufficient_storage`' })),
  details: t.Optional(Details),
});

export const Alive = t.Object({ status: t.Literal('ok') });
export const Ready = t.Object({ status: t.Literal('ready'), details: t.Optional(Details) });
