/** Times written as the server writes them (src/core/time-format.ts), so that citations can be matched. */
import type { Moment } from './types.js';

export function timestamp(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds + 1e-6));
  const mmss = `${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
  return total >= 3600 ? `${Math.floor(total / 3600)}:${mmss}` : mmss;
}

/** The server's local date and time, which is what its ISO strings spell before the offset. */
export function wallClock(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}

/** A moment's range as answers cite it: "00:12–00:18", or "2026-12-01 14:03:05–14:03:09" from a live source. */
export function momentRange(m: Pick<Moment, 'start' | 'end' | 'startsAt' | 'endsAt'>): string {
  if (m.startsAt === undefined || m.endsAt === undefined) return `${timestamp(m.start)}–${timestamp(m.end)}`;
  const [start, end] = [wallClock(m.startsAt), wallClock(m.endsAt)];
  return `${start}–${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end}`;
}

export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
