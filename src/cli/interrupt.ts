/**
 * What Ctrl-C (SIGINT) does. By default vidmem ends at once with exit status 130: what is stored
 * is committed clip by clip, so nothing is lost. A command that can do better says so while it
 * runs: an ingest tells how to resume, a chat stops the answer being streamed (a terminal or a
 * pipe alike) and ends the session only between answers.
 */
let current: (() => void) | undefined;

export function listenForInterrupts(): void {
  process.on('SIGINT', () => {
    if (current) return current();
    process.stderr.write('\nvidmem: interrupted\n');
    process.exit(130);
  });
}

/** Runs `work` with `onInterrupt` as what Ctrl-C does meanwhile. */
export async function onInterrupt<T>(handler: () => void, work: () => Promise<T>): Promise<T> {
  const previous = current;
  current = handler;
  try {
    return await work();
  } finally {
    current = previous;
  }
}

/** Ends vidmem for an interrupt with a line that says what happens next. */
export function interrupted(line: string): never {
  process.stderr.write(`\nvidmem: ${line}\n`);
  process.exit(130);
}
