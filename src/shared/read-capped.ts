// Reading a response body with a ceiling: what a remote server sends is never held past a size.

/** Reads a body while streaming, keeping at most `maxBytes` (never buffering beyond them); `cut` when there was more. */
export async function readCapped(response: Response, maxBytes: number): Promise<{ body: Uint8Array; cut: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.length > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - size));
        size = maxBytes;
        cut = true;
        await reader.cancel();
        break;
      }
      chunks.push(value);
      size += value.length;
    }
  }
  return { body: Buffer.concat(chunks), cut };
}
