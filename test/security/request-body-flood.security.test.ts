// Bun's own body cap is set out of the way (app.ts): a body nobody reads must still not pile up in the server's memory.
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { startServerProcess } from '../support/server-process';

const MIB = 1024 * 1024;
/** Resident memory of a process, in bytes (VmRSS). */
const rssOf = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/**
 * Sends `head` and then up to `mib` chunks of 1 MiB of chunked body over a raw socket, whatever the server answers,
 * as a flooding client would, calling `sample` after each write. Stops when the server closes the connection or
 * stops taking bytes (no room for `stallMs`: it reads no more). Returns how many MiB the socket took.
 */
async function floodBody(url: string, head: string, mib: number, sample: () => void, stallMs = 2000) {
  const target = new URL(url);
  let closed = false;
  let wake: (() => void) | null = null;
  const socket = await Bun.connect({
    hostname: target.hostname,
    port: Number(target.port),
    socket: {
      data: () => undefined,
      drain: () => wake?.(),
      close: () => {
        closed = true;
        wake?.();
      },
      error: () => {
        closed = true;
        wake?.();
      },
    },
  });
  socket.write(`${head}\r\nTransfer-Encoding: chunked\r\n\r\n`);
  const frame = Buffer.concat([Buffer.from(`${MIB.toString(16)}\r\n`), Buffer.alloc(MIB, 0x20), Buffer.from('\r\n')]);
  let taken = 0;
  for (; taken < mib && !closed; taken++) {
    for (let offset = 0; offset < frame.length && !closed; ) {
      const written = socket.write(frame.subarray(offset));
      offset += Math.max(0, written);
      sample();
      if (offset < frame.length) {
        const drained = await new Promise<boolean>((resolve) => {
          wake = () => resolve(true);
          setTimeout(() => resolve(false), stallMs);
        });
        if (!drained) closed = true;
      }
    }
  }
  socket.end();
  return taken;
}

describe('a flood of request body', () => {
  it('256 MiB pushed at routes that read no body, or refuse it, whatever they answer: the server stays small and answering', async () => {
    await using running = await startServerProcess();
    const pid = running.server.child.pid;
    const baseline = rssOf(pid);
    let peak = baseline;
    const sample = () => {
      peak = Math.max(peak, rssOf(pid));
    };
    const host = new URL(running.server.url).host;
    for (const path of ['/api/health', '/api/sessions', '/api/nothing-here']) {
      await floodBody(
        running.server.url,
        `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json`,
        256,
        sample,
      );
      sample();
    }
    expect(peak - baseline).toBeLessThan(64 * MIB);
    expect((await running.api('GET', '/api/health')).status).toBe(200);
  }, 60_000);
});
