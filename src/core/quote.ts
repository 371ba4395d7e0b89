/**
 * A text as messages and answers quote it: on one line and at most `max` characters, so a
 * question pasted with a whole document in it is never echoed back whole.
 */
export function quote(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return `"${line.length > max ? `${line.slice(0, max - 1)}…` : line}"`;
}
