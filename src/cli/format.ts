import { isAbsolute, relative } from 'node:path';
import { isoWallClock } from '../core/time-format.js';

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

/** A live source's moment in --json: its local wall-clock times in ISO 8601 with their offset; nothing for a file's. */
export function wallClockJson(m: { readonly startedAt: number | null; readonly start: number; readonly end: number }): { startsAt?: string; endsAt?: string } {
  return m.startedAt === null ? {} : { startsAt: isoWallClock(m.startedAt + m.start), endsAt: isoWallClock(m.startedAt + m.end) };
}
