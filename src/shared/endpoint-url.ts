// Whether a model endpoint's base URL can be called: the form the config's `base_url` keys take, for the variables too.

/** What such a URL must be, for the message that refuses one. */
export const ENDPOINT_URL_FORM = 'must be an http:// or https:// URL with a host (such as http://127.0.0.1:11434/v1)';

/**
 * True for an `http://` or `https://` URL with a host. Refuses a URL without its scheme: `127.0.0.1:18999/v1` does
 * not parse, and `localhost:18999/v1` parses with the scheme `localhost:`; either would fail every call.
 */
export function isEndpointUrl(raw: string): boolean {
  const url = URL.parse(raw);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}
