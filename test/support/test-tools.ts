// Small tools for chat tests: they exercise the tool loop without the real catalogue.
import { z } from 'zod';
import type { ToolDefinition } from '../../src/tools/tool-registry';
import { success } from '../../src/tools/tool-result';

export const echoTool: ToolDefinition<{ text: string }> = {
  name: 'echo',
  description: 'Echoes its text back.',
  level: 0,
  schema: z.object({ text: z.string() }),
  run: async ({ text }) => success({ echoed: text }),
};
