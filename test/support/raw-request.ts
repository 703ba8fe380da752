// Low-level HTTP requests through node:http, for what fetch will not send: a chosen Host header, chunked bodies.
import { request as httpRequest } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: any;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as given; with `chunked: true` each item is written as its own chunk and no content-length is sent. */
  body?: string | Buffer | (string | Buffer)[];
  chunked?: boolean;
}

/** Sends one request to `url` (which carries host and port of the server) and reads the whole answer. */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const target = new URL(url);
  const parts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
  const headers: Record<string, string> = { ...options.headers };
  if (options.chunked) headers['transfer-encoding'] = 'chunked';
  else if (parts.length > 0)
    headers['content-length'] = String(parts.reduce((size, part) => size + Buffer.byteLength(part), 0));
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? 'GET',
        headers,
        agent: false,
        setHost: !Object.keys(headers).some((name) => name.toLowerCase() === 'host'),
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: incoming.statusCode ?? 0, headers: flat, text, body });
        });
      },
    );
    // The server may answer (413) and close before the whole body is sent; that is not a client failure.
    outgoing.on('error', reject);
    for (const part of parts) outgoing.write(part);
    outgoing.end();
  });
}

/** A socket to `target` that collects what it reads; `closed` resolves (with it all) when the server closes it. */
async function collectingSocket(target: URL) {
  const chunks: Uint8Array[] = [];
  const { promise, resolve, reject } = Promise.withResolvers<Buffer>();
  const socket = await Bun.connect({
    hostname: target.hostname,
    port: Number(target.port),
    socket: {
      data: (_socket, data) => void chunks.push(data),
      close: () => resolve(Buffer.concat(chunks)),
      error: (_socket, error) => reject(error),
    },
  });
  return { socket, closed: promise };
}

/** Sends `head` (request line and headers, CRLF-separated, without the blank line) verbatim over a socket; returns status and body. */
export async function rawExchange(url: string, head: string): Promise<{ status: number; body: string }> {
  const { socket, closed } = await collectingSocket(new URL(url));
  socket.write(`${head}\r\nConnection: close\r\n\r\n`);
  const text = (await closed).toString('utf8');
  const [statusLine = '', ...rest] = text.split('\r\n');
  return {
    status: Number(statusLine.split(' ')[1]),
    body: rest.join('\r\n').split('\r\n\r\n').slice(1).join('\r\n\r\n'),
  };
}

/**
 * A GET over a socket that reads nothing until `resume()` is called: the kernel's buffers fill and the server
 * sees real backpressure (fetch may take a body in as it arrives, whether or not the caller reads it).
 * `resume()` reads the answer to its end and gives its body, de-chunked.
 */
export async function stalledGet(url: string): Promise<{ resume(): Promise<string> }> {
  const target = new URL(url);
  const { socket, closed } = await collectingSocket(target);
  socket.pause();
  socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`);
  return {
    async resume() {
      socket.resume();
      const text = (await closed).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split);
      let body = text.slice(split + 4);
      if (/^transfer-encoding:\s*chunked/im.test(head)) body = dechunk(body);
      return Buffer.from(body, 'latin1').toString('utf8');
    },
  };
}

function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.slice(at, lineEnd), 16);
    if (!size) return out;
    out += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
