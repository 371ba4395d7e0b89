/**
 * Reading an HTTP body with a bound: whatever a server sends, a client holds no more of it than it
 * decided to (one 52 MB line once grew vidmem to 527 MB; a 196 MB error page, read whole three
 * times, to 733 MB).
 */

/** A body, or a part of one, past its bound; the message names what and the bound, for the caller to put in context. */
export class TooLarge extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'TooLarge';
  }
}

/** "8 KiB", "1 MiB", "32 MiB" */
export function formatSize(bytes: number): string {
  return bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MiB` : `${bytes / 2 ** 10} KiB`;
}

/**
 * The first `maxBytes` of a body as text, and whether that was all of it; the rest is not read
 * (the body is cancelled, which closes the connection).
 */
export async function readAtMost(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<{ text: string; whole: boolean }> {
  if (!body) return { text: '', whole: true };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: Buffer.concat(chunks).toString('utf8'), whole: true };
    const room = maxBytes - bytes;
    if (value.length > room) {
      chunks.push(value.subarray(0, room));
      await reader.cancel();
      return { text: Buffer.concat(chunks).toString('utf8'), whole: false };
    }
    chunks.push(value);
    bytes += value.length;
  }
}

/** Passes a body's chunks on until more than `maxBytes` came, then fails with TooLarge(`over <bound> in ${what}`). */
export async function* limitBytes(body: AsyncIterable<Uint8Array>, maxBytes: number, what: string): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw new TooLarge(`over ${formatSize(maxBytes)} in ${what}`);
    yield chunk;
  }
}
