// Run as a child process (under any uid): tool calls through a real harness, reported as one JSON line on stdout.
import { createSandbox } from '../../src/security/sandbox';
import { createToolHarness } from './tool-harness';

const sandbox = createSandbox();
const status = sandbox.status();
const report: Record<string, unknown> = { serverUid: process.geteuid?.(), status };
if (status.available) {
  using harness = createToolHarness({ sandbox, config: { tool_timeouts: { terminal_seconds: 10 } } });
  const run = async (command: string) => (await harness.call('terminal', { command })).data;
  report.id = (await run('id -u')).stdout?.trim();
  report.listing = (await run('ls -A')).stdout?.trim().split('\n');
  report.config = (await run('cat config.json')).exit_code;
  report.write = (await run('echo kept > workspace/kept.txt && cat workspace/kept.txt')).stdout?.trim();
  report.sandboxed = (await run('true')).sandboxed;
}
console.log(JSON.stringify(report));
