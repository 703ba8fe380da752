// JSON answers kept by a stamp from storage: a list that has not changed since it was last sent is sent again
// from its bytes, without reading, mapping, serialising or checking it once more.

const JSON_TYPE = 'application/json;charset=utf-8';

export interface StampedBodiesOptions {
  /** Characters kept over all keys; the least recently sent go first, and a body larger than this is never kept. */
  maxChars?: number;
  /** Keys remembered at most, kept bodies and stamps seen once each (keys come from clients: agents made and deleted). */
  maxKeys?: number;
}

export interface StampedBodies {
  /**
   * A JSON response of what `build` gives, or of the text kept under `key` when it was built at `stamp`.
   * `stamp` must be read before `build` reads its data (a change in between then only costs a rebuild); a null
   * stamp (storage cannot tell) always builds. A body is kept only once a second read finds the same stamp, so a
   * list read once after each change (a client refreshing after its own edits) costs nothing more than before.
   */
  respond(key: string, stamp: string | null, build: () => Promise<unknown>): Promise<Response>;
  /** Characters kept now. */
  readonly keptChars: number;
  /** Keys remembered now (kept bodies plus stamps seen once). */
  readonly keys: number;
}

interface Kept {
  stamp: string;
  body: string;
}

export function stampedBodies(options: StampedBodiesOptions = {}): StampedBodies {
  const maxChars = options.maxChars ?? 16 * 1024 * 1024;
  const maxKeys = options.maxKeys ?? 256;
  const kept = new Map<string, Kept>();
  // The stamp each key's last body was built at, when that body was not kept.
  const builtOnce = new Map<string, string>();
  let keptChars = 0;

  const forget = (key: string) => {
    const old = kept.get(key);
    if (!old) return;
    kept.delete(key);
    keptChars -= old.body.length;
  };
  const keep = (key: string, entry: Kept) => {
    if (entry.body.length > maxChars) return;
    for (const [oldest] of kept) {
      if (keptChars + entry.body.length <= maxChars && kept.size < maxKeys) break;
      forget(oldest);
    }
    kept.set(key, entry);
    keptChars += entry.body.length;
  };
  const answer = (body: string) => new Response(body, { headers: { 'content-type': JSON_TYPE } });

  return {
    async respond(key, stamp, build) {
      const hit = kept.get(key);
      if (hit && hit.stamp === stamp) {
        // Most recently sent last: eviction walks the map from its start.
        kept.delete(key);
        kept.set(key, hit);
        return answer(hit.body);
      }
      forget(key);
      const body = JSON.stringify(await build());
      if (stamp === null) builtOnce.delete(key);
      else if (builtOnce.get(key) === stamp) {
        builtOnce.delete(key);
        keep(key, { stamp, body });
      } else {
        builtOnce.delete(key);
        builtOnce.set(key, stamp);
        // The oldest first: a key read once long ago is the least likely to be read again.
        for (const [oldest] of builtOnce) {
          if (builtOnce.size <= maxKeys) break;
          builtOnce.delete(oldest);
        }
      }
      return answer(body);
    },
    get keptChars() {
      return keptChars;
    },
    get keys() {
      return kept.size + builtOnce.size;
    },
  };
}
