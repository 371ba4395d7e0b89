/**
 * Moments as every machine-readable output gives them (`--json`, the HTTP API, MCP tools): times
 * in seconds to the millisecond, scores to four places, a live source's wall-clock times in ISO
 * 8601 with their offset.
 */
import type { Moment } from './moments.js';
import { isoWallClock } from './time-format.js';

/** A number as JSON output gives it: seconds to the millisecond, scores to four places. */
export function roundTo(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}

/** A live source's moment: its local wall-clock times in ISO 8601 with their offset; nothing for a file's. */
export function wallClockJson(m: { readonly startedAt: number | null; readonly start: number; readonly end: number }): { startsAt?: string; endsAt?: string } {
  return m.startedAt === null ? {} : { startsAt: isoWallClock(m.startedAt + m.start), endsAt: isoWallClock(m.startedAt + m.end) };
}

export interface MomentJson {
  readonly videoId: number;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly score: number;
  readonly thumbnail: string | null;
  readonly text: ReadonlyArray<{ readonly channel: string; readonly text: string; readonly start: number; readonly end: number }>;
}

export function momentJson(m: Moment): MomentJson {
  return {
    videoId: m.videoId, path: m.videoPath, start: roundTo(m.start), end: roundTo(m.end), ...wallClockJson(m), score: roundTo(m.score, 4), thumbnail: m.thumbnail,
    text: m.text.map((t) => ({ channel: t.channel, text: t.text, start: roundTo(t.start), end: roundTo(t.end) })),
  };
}
