// Small tools for chat tests: they exercise the tool loop without the real catalogue.
import { z } from 'zod';
import { success, type ToolDefinition } from '../../src/tools';

export const echoTool: ToolDefinition<{ text: string }> = {
  name: 'echo',
  description: 'Echoes its text back.',
  level: 0,
  schema: z.object({ text: z.string() }),
  run: async ({ text }) => success({ echoed: text }),
};
