// allow_network shares the host's network, this server's API included: a tool must not reconfigure its own sandbox.
import { describe, expect, it } from 'bun:test';
import { createSandbox } from '../../src/security/sandbox';
import { startChatFixture } from '../support/chat-fixture';
import { readSse } from '../support/sse-client';

const hasBwrap = createSandbox().isAvailable();
const python = Bun.which('python3', { PATH: '/usr/local/bin:/usr/bin:/bin' });
const TOKEN = 'sandbox-network-test-token-0123456789';

/** Finds every listening loopback port (the sandbox shares the host's /proc/net) and asks each to switch the sandbox off. */
const SWITCH_OFF = `
import json, urllib.error, urllib.request
ports = set()
for line in open('/proc/net/tcp').readlines()[1:]:
    fields = line.split()
    if fields[3] == '0A' and fields[1].startswith('0100007F'):
        ports.add(int(fields[1].split(':')[1], 16))
answers = []
body = json.dumps({'config': {'tool_sandbox': {'mode': 'off'}}}).encode()
for port in sorted(ports):
    request = urllib.request.Request(f'http://127.0.0.1:{port}/api/config/runtime', data=body, method='PUT', headers={'content-type': 'application/json'})
    try:
        answers.append(urllib.request.urlopen(request, timeout=2).status)
    except urllib.error.HTTPError as error:
        answers.append(error.code)
    except Exception:
        pass
print(json.dumps(sorted(set(answers))))
`;

describe.skipIf(!hasBwrap || !python)('a sandbox with allow_network', () => {
  it('is refused while the API takes requests without a token, so a call cannot switch its own sandbox off', async () => {
    await using fixture = await startChatFixture({ env: { APP_API_TOKEN: '' } });
    expect(
      (await fixture.server.json('PUT', '/api/config/runtime', { config: { tool_sandbox: { allow_network: true } } }))
        .status,
    ).toBe(200);
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'python_repl', args: { code: SWITCH_OFF } }] },
      { kind: 'text', text: 'done' },
    );
    const events = await readSse(await fixture.chat({ message: 'go', session_id: await fixture.newSession() }));
    const output = JSON.parse(events.find((event) => event.event === 'tool_end')!.data.output);
    // Before, the call got 200 from the server and the next terminal call ran unsandboxed, as root.
    expect(output.error).toEqual(
      expect.objectContaining({ code: 'E_POLICY_DENIED', message: expect.stringContaining('APP_API_TOKEN') }),
    );
    const config = await fixture.server.json('GET', '/api/config/runtime');
    expect(config.body.data.config.tool_sandbox).toEqual(
      expect.objectContaining({ mode: 'auto', allow_network: true }),
    );
  });

  it('runs once APP_API_TOKEN guards the API, and the call is then refused by the API', async () => {
    await using fixture = await startChatFixture({ env: { APP_API_TOKEN: TOKEN } });
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(
      (
        await fixture.server.json(
          'PUT',
          '/api/config/runtime',
          { config: { tool_sandbox: { allow_network: true } } },
          auth,
        )
      ).status,
    ).toBe(200);
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'python_repl', args: { code: SWITCH_OFF } }] },
      { kind: 'text', text: 'done' },
    );
    const session = await fixture.server.json('POST', '/api/sessions', undefined, auth);
    const response = await fixture.server.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ message: 'go', session_id: session.body.data.session_id }),
    });
    const output = JSON.parse((await readSse(response)).find((event) => event.event === 'tool_end')!.data.output);
    expect(output.data.sandboxed).toBe(true);
    expect(JSON.parse(output.data.output)).toContain(401);
    const config = await fixture.server.json('GET', '/api/config/runtime', undefined, auth);
    expect(config.body.data.config.tool_sandbox.mode).toBe('auto');
  });
});
