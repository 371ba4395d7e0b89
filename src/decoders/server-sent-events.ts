/**
 * Server-sent events (`text/event-stream`), the framing streaming chat APIs use, reduced to what
 * a client of such an API needs: the data of each event, as soon as the event is complete.
 */

/**
 * Yields each event's data (several `data:` lines joined by newlines); comments and other fields
 * are skipped. `onChunk` is called for every chunk received, so a caller can time the gaps.
 */
export async function* eventData(body: AsyncIterable<Uint8Array>, onChunk?: () => void): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  let data: string[] = [];
  const take = (line: string): string | undefined => {
    if (line === '') {
      const event = data.length > 0 ? data.join('\n') : undefined;
      data = [];
      return event;
    }
    if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    return undefined;
  };
  for await (const chunk of body) {
    onChunk?.();
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const event = take(pending.slice(0, newline).replace(/\r$/, ''));
      pending = pending.slice(newline + 1);
      if (event !== undefined) yield event;
    }
  }
  // Some servers close the stream without the blank line that ends the last event.
  for (const line of [pending + decoder.decode(), '']) {
    const event = take(line.replace(/\r$/, ''));
    if (event !== undefined) yield event;
  }
}
