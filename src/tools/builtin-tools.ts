// The built-in tool catalogue, in the order it is offered to the model.
import type { RetrievalSearcher } from '../retrieval';
import type { Sandbox } from '../security';
import { systemResolver, type HostResolver } from '../security';
import { createApplyPatchTool } from './builtin/apply-patch.tool';
import { createFetchUrlTool } from './builtin/fetch-url.tool';
import { createPythonReplTool, findPython } from './builtin/python-repl.tool';
import { createReadFilesTool, createReadFileTool } from './builtin/read-file.tool';
import { createSearchKnowledgeTool, createSearchMemoryTool } from './builtin/search-knowledge.tool';
import { createSessionHistoryTool, createSessionsListTool } from './builtin/sessions.tool';
import { createTerminalTool } from './builtin/terminal.tool';
import { createWebSearchTool } from './builtin/web-search.tool';
import type { ToolDefinition } from './tool-definition';

export interface BuiltinToolDeps {
  retrieval: RetrievalSearcher;
  sandbox: Sandbox;
  /** The server's environment: web search keys are read from it; tool processes never inherit it. */
  env: Record<string, string | undefined>;
  /** DNS for fetch_url (default: the system resolver). */
  resolver?: HostResolver;
  /** HTTP client for web search providers (default: global fetch). */
  fetch?: typeof fetch;
  /** The server's API answers without a token: sandboxed tools are then refused the host's network. */
  serverApiOpen: boolean;
  /** The python3 for python_repl; `null` leaves the tool out (default: python3 on the minimal PATH). */
  python?: string | null;
}

export function createBuiltinTools(deps: BuiltinToolDeps): ToolDefinition[] {
  const python = deps.python === undefined ? findPython() : deps.python;
  const processDeps = { sandbox: deps.sandbox, env: deps.env, serverApiOpen: deps.serverApiOpen };
  return [
    createTerminalTool(processDeps),
    ...(python ? [createPythonReplTool({ ...processDeps, python })] : []),
    createFetchUrlTool({ resolver: deps.resolver ?? systemResolver }),
    createReadFileTool(),
    createReadFilesTool(),
    createSearchKnowledgeTool(deps.retrieval),
    createSearchMemoryTool(deps.retrieval),
    createWebSearchTool({ env: deps.env, fetch: deps.fetch ?? fetch }),
    createApplyPatchTool(),
    createSessionsListTool(),
    createSessionHistoryTool(),
  ];
}
