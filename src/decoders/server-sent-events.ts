/**
 * Server-sent events (`text/event-stream`), the framing streaming chat APIs use, reduced to what
 * a client of such an API needs: the data of each event, as soon as the event is complete.
 */
import { formatSize, TooLarge } from './bounded-read.js';

export interface EventOptions {
  /** The longest line, and the most data one event may carry, in bytes; past it the stream fails with TooLarge. */
  readonly maxEventBytes: number;
  /** Called for each comment line (`: keep-alive`) and each event without data: signs of life that carry nothing. */
  readonly onKeepAlive?: () => void;
}

const NEWLINE = 0x0a;

/**
 * Yields each event's data (several `data:` lines joined by newlines); comments and other fields
 * are skipped. The stream is cut into lines as bytes (a newline byte never occurs inside a UTF-8
 * character), and a line is decoded only once it is complete and within the bound, so memory
 * stays bounded by `maxEventBytes` whatever a server sends.
 */
export async function* eventData(body: AsyncIterable<Uint8Array>, options: EventOptions): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const tooLarge = () => new TooLarge(`an event over ${formatSize(options.maxEventBytes)}`);
  /** The start of a line whose end has not arrived yet. */
  let partial: Uint8Array[] = [];
  let partialBytes = 0;
  let data: string[] = [];
  let dataBytes = 0;
  const take = (bytes: Uint8Array): string | undefined => {
    const line = decoder.decode(bytes).replace(/\r$/, '');
    if (line === '') {
      const event = data.join('\n');
      const empty = event.trim() === '';
      data = [];
      dataBytes = 0;
      if (empty) options.onKeepAlive?.();
      return empty ? undefined : event;
    }
    if (line.startsWith(':')) options.onKeepAlive?.();
    else if (line.startsWith('data:')) {
      dataBytes += bytes.length;
      if (dataBytes > options.maxEventBytes) throw tooLarge();
      data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
    return undefined;
  };
  /** A line whose end has come, joined to its start from earlier chunks. */
  const complete = (piece: Uint8Array): Uint8Array => {
    if (partialBytes + piece.length > options.maxEventBytes) throw tooLarge();
    const line = partial.length === 0 ? piece : Buffer.concat([...partial, piece]);
    partial = [];
    partialBytes = 0;
    return line;
  };
  for await (const chunk of body) {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      const event = take(complete(chunk.subarray(start, newline)));
      start = newline + 1;
      if (event !== undefined) yield event;
    }
    if (start < chunk.length) {
      // A copy, so that a view does not keep a whole chunk (or the pool it came from) alive.
      const rest = chunk.slice(start);
      if (partialBytes + rest.length > options.maxEventBytes) throw tooLarge();
      partial.push(rest);
      partialBytes += rest.length;
    }
  }
  // Some servers close the stream without the newline that ends the last line, or the blank line that ends the last event.
  if (partial.length > 0) {
    const event = take(complete(new Uint8Array()));
    if (event !== undefined) yield event;
  }
  if (data.length > 0) {
    const event = take(new Uint8Array());
    if (event !== undefined) yield event;
  }
}
