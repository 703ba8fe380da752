// HTTP GET for model-chosen URLs: each hop checked by the URL guard, sent to the checked address only, body capped.
import { isIP } from 'node:net';
import { checkAddress, checkLiteralHost, type HostResolver } from '../security';
import { ToolFailure } from './tool-result';
import { readCapped } from '../shared/read-capped';

export interface GuardedFetchOptions {
  schemes: readonly string[];
  blockPrivate: boolean;
  /** Exact host names exempt from private-address blocking (operator config, never the model's). */
  allowPrivateHosts: readonly string[];
  maxRedirects: number;
  maxBytes: number;
  timeoutMs: number;
  resolver: HostResolver;
  signal?: AbortSignal;
}

export interface GuardedFetchResult {
  status: number;
  url: string;
  contentType: string;
  body: Uint8Array;
  /** The body was longer than maxBytes and was cut there. */
  cut: boolean;
  redirects: number;
}

const denied = (reason: string, url: string) => new ToolFailure('E_POLICY_DENIED', reason, { url });

/** Resolves the host of `url` and checks every address; returns the one to connect to. */
async function checkedAddress(url: URL, raw: string, options: GuardedFetchOptions): Promise<string> {
  const scheme = url.protocol.replace(/:$/, '');
  if (!options.schemes.includes(scheme))
    throw denied(`Scheme '${scheme}' is not allowed (tool_network.allow_http_schemes)`, raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw denied('URL has no host', raw);
  const blockPrivate = options.blockPrivate && !options.allowPrivateHosts.includes(host.toLowerCase());
  if (blockPrivate) {
    const literal = checkLiteralHost(url, raw);
    if (!literal.allowed) throw denied(literal.reason, raw);
  }
  if (isIP(host)) return host;
  let addresses: string[];
  try {
    addresses = await options.resolver(host);
  } catch {
    throw denied(`DNS lookup for '${host}' failed (refused: fails closed)`, raw);
  }
  if (addresses.length === 0) throw denied(`DNS lookup for '${host}' returned no address`, raw);
  if (blockPrivate) {
    for (const address of addresses) {
      const verdict = checkAddress(address);
      if (!verdict.allowed) throw denied(`${host} resolves to a blocked address: ${verdict.reason}`, raw);
    }
  }
  return addresses[0]!;
}

/**
 * GETs `rawUrl`, following at most `maxRedirects` redirects by hand. Every hop is checked (scheme, literal host,
 * every DNS address) and the request goes to the checked IP with the original Host header and TLS server name, so
 * DNS cannot change between check and connect. Refusals throw E_POLICY_DENIED, timeouts E_TIMEOUT, errors E_HTTP.
 */
export async function guardedFetch(rawUrl: string, options: GuardedFetchOptions): Promise<GuardedFetchResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let raw = rawUrl;
  try {
    for (let redirects = 0; ; redirects++) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new ToolFailure('E_INVALID_ARGS', `Not a valid URL: ${raw}`);
      }
      const address = await checkedAddress(url, raw, options);
      const target = new URL(url);
      target.hostname = isIP(address) === 6 ? `[${address}]` : address;
      const response = await fetch(target, {
        headers: {
          Host: url.host,
          'User-Agent': 'mini-openclaw/0.1 (+fetch_url)',
          Accept: 'text/html,application/json,text/plain;q=0.9,*/*;q=0.5',
        },
        redirect: 'manual',
        signal,
        proxy: false,
        tls: isIP(url.hostname.replace(/^\[|\]$/g, '')) ? undefined : { serverName: url.hostname },
      } as RequestInit);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (redirects >= options.maxRedirects)
          throw denied(`Too many redirects (tool_network.max_redirects=${options.maxRedirects})`, raw);
        raw = new URL(location, url).toString();
        continue;
      }
      if (response.status >= 400) {
        await response.body?.cancel();
        throw new ToolFailure('E_HTTP', `HTTP ${response.status} from ${url.toString()}`, {
          status: response.status,
          url: url.toString(),
        });
      }
      const { body, cut } = await readCapped(response, options.maxBytes);
      return {
        status: response.status,
        url: url.toString(),
        contentType: response.headers.get('content-type') ?? '',
        body,
        cut,
        redirects,
      };
    }
  } catch (error) {
    if (error instanceof ToolFailure) throw error;
    if (timeout.aborted)
      throw new ToolFailure('E_TIMEOUT', `Timed out after ${Math.round(options.timeoutMs / 1000)} s`, { url: raw });
    throw new ToolFailure('E_HTTP', 'Fetch failed', {
      url: raw,
      exception: error instanceof Error ? error.message : String(error),
    });
  }
}
