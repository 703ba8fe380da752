// Small tools for chat tests: they exercise the tool loop without the real catalogue.
import { tool } from 'langchain';
import { z } from 'zod';
import type { ToolDefinition } from '../../src/tools/tool-registry';

export const echoTool: ToolDefinition = {
  name: 'echo',
  level: 0,
  create: () =>
    tool(async ({ text }: { text: string }) => JSON.stringify({ ok: true, data: { echoed: text } }), {
      name: 'echo',
      description: 'Echoes its text back.',
      schema: z.object({ text: z.string() }),
    }),
};
