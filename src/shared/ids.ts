// Identifier generation and the agent id rule.

export const AGENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const AGENT_ID_MESSAGE = 'agent_id must match [A-Za-z0-9_-]{1,64}';

/** A new random UUID v4 string. */
export function newId(): string {
  return crypto.randomUUID();
}

export function isValidAgentId(value: string): boolean {
  return AGENT_ID_PATTERN.test(value);
}
