// Wire shapes of /api/config: the runtime config object, its body, rag mode and tracing.
import { t } from 'elysia';
import { ok } from '../schemas';

const ConfigObject = t.Record(t.String(), t.Any(), { description: 'The runtime config; see the README for every key' });
// Elysia 1.4 normalises a body before validating it and turns "abc", 5 or [1] into objects that
// pass t.Record; so the body takes anything and requireObject checks it.
export const ConfigBody = t.Object({
  config: t.Unknown({ description: 'The runtime config (an object); see the README for every key' }),
});
export const RuntimeAnswer = ok(t.Object({ agent_id: t.String(), config: ConfigObject }));
export const RagModeAnswer = ok(t.Object({ enabled: t.Boolean(), agent_id: t.String() }));
export const EnabledBody = t.Object({ enabled: t.Boolean() });
export const Tracing = ok(t.Object({ provider: t.String(), config_key: t.String(), enabled: t.Boolean() }));

/** The tracing answer: LangSmith, switched by OBS_TRACING_ENABLED. */
export const tracingBody = (enabled: boolean) => ({
  data: { provider: 'langsmith', config_key: 'OBS_TRACING_ENABLED', enabled },
});
