/** How times in a video are written for people: [h:]mm:ss, ranges with an en dash. */

/** [h:]mm:ss for a time in seconds: minutes and seconds, hours only past the first hour. */
export function formatTimestamp(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds + 1e-6));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** "00:12–00:20" */
export function formatRange(start: number, end: number): string {
  return `${formatTimestamp(start)}–${formatTimestamp(end)}`;
}
