/** An alert as JSON, the same for a stdout line (`watch --json`, `ingest --json`, `events --json`) and a webhook's body. */
import type { AlertEventRecord } from '../src/core/alerts.js';
import { isoWallClock } from '../src/core/time-format.js';

/** An alert for programs: times in seconds into its video, and for a live source also in ISO 8601 wall-clock time. */
export function alertPayload(event: AlertEventRecord): Record<string, unknown> {
  const live = event.startedAt !== null ? { startsAt: isoWallClock(event.startedAt + event.start), endsAt: isoWallClock(event.startedAt + event.end) } : {};
  return {
    type: 'alert', id: event.id, rule: { id: event.ruleId, name: event.ruleName }, source: event.source, videoId: event.videoId, path: event.path,
    start: event.start, end: event.end, ...live, score: Math.round(event.score * 1000) / 1000,
    evidence: { clipId: event.clipId, thumbnail: event.thumbnail, snapshot: event.snapshot }, raisedAt: event.raisedAt,
  };
}
