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

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A live clip's time for people: the local date and time, "2026-12-01 14:03:05". */
export function formatWallClock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The same time for programs: ISO 8601 in local time with its offset, "2026-12-01T14:03:05.250+01:00". */
export function isoWallClock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${formatWallClock(unixSeconds).replace(' ', 'T')}.${pad(d.getMilliseconds(), 3)}${zone}`;
}

/** A time in a stored video: seconds into a file ("00:12"), or a live segment's local date and time. */
export function formatMomentTime(startedAt: number | null, seconds: number): string {
  return startedAt === null ? formatTimestamp(seconds) : formatWallClock(startedAt + seconds);
}

/** A moment's range: "00:12–00:20" in a file, "2026-12-01 14:03:05–14:03:09" from a live source (the end's date when it differs). */
export function formatMomentRange(m: { readonly startedAt: number | null; readonly start: number; readonly end: number }): string {
  return m.startedAt === null ? formatRange(m.start, m.end) : formatWallClockRange(m.startedAt + m.start, m.startedAt + m.end);
}

/** "2026-12-01 14:03:05–14:03:09" for UTC seconds, the end's date only when it differs. */
export function formatWallClockRange(from: number, to: number): string {
  const [start, end] = [formatWallClock(from), formatWallClock(to)];
  return `${start}–${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end}`;
}

const DURATION_UNITS: ReadonlyArray<[string, number]> = [['d', 86_400], ['h', 3600], ['m', 60]];

/** A length of time as --retain takes it: "7d", "36h", "90s" (the largest unit it is a whole number of). */
export function formatDuration(seconds: number): string {
  const unit = DURATION_UNITS.find(([, size]) => seconds >= size && Number.isInteger(seconds / size));
  return unit ? `${seconds / unit[1]}${unit[0]}` : `${seconds}s`;
}
