// LangChain, loaded on first use. Its modules hold about 50 MB resident once evaluated, so a server
// that is only serving files, sessions or schedules never pays for them.
import type { ChatOpenAI, ChatOpenAICompletions } from '@langchain/openai';

export interface LangChainRuntime {
  createAgent: typeof import('langchain').createAgent;
  createMiddleware: typeof import('langchain').createMiddleware;
  ChatOpenAI: typeof ChatOpenAI;
  ChatOpenAICompletions: typeof ChatOpenAICompletions;
  AIMessage: typeof import('@langchain/core/messages').AIMessage;
  ToolMessage: typeof import('@langchain/core/messages').ToolMessage;
  DynamicStructuredTool: typeof import('@langchain/core/tools').DynamicStructuredTool;
}

let loading: Promise<LangChainRuntime> | undefined;

/** The LangChain classes the chat loop needs; the first call loads them (once, shared by every caller). */
export function loadLangChain(): Promise<LangChainRuntime> {
  loading ??= Promise.all([
    import('langchain'),
    import('@langchain/openai'),
    import('@langchain/core/messages'),
    import('@langchain/core/tools'),
  ]).then(([langchain, openai, messages, tools]) => ({
    createAgent: langchain.createAgent,
    createMiddleware: langchain.createMiddleware,
    ChatOpenAI: openai.ChatOpenAI,
    ChatOpenAICompletions: openai.ChatOpenAICompletions,
    AIMessage: messages.AIMessage,
    ToolMessage: messages.ToolMessage,
    DynamicStructuredTool: tools.DynamicStructuredTool,
  }));
  return loading;
}
