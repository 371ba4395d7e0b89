import { isAbsolute, relative } from 'node:path';

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

/** "351.4 MB", in the decimal megabytes the Hugging Face hub lists file sizes in. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A path as short as it can be read unambiguously: relative below the working folder, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** A number as JSON output gives it: seconds to the millisecond, scores to four places. */
export function roundTo(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}
