// The agents domain's own storage port: facts about an agent kept with its rows (its creation time).

export interface AgentMetaStore {
  /** When the agent was created, in epoch seconds: the same value on every call. */
  createdAt(): Promise<number>;
}

/** The ports every agent storage bundle carries for the agents domain, and how to close it. */
export interface AgentsPorts {
  agentMeta: AgentMetaStore;
  close(): void;
}
