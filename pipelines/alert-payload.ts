/** An alert as JSON, the same for a stdout line (`watch --json`, `ingest --json`, `events --json`) and a webhook's body. */
import type { AlertEventRecord, AlertRule } from '../src/core/alerts.js';
import { isoWallClock } from '../src/core/time-format.js';

/** An alert for programs: times in seconds into its video, and for a live source also in ISO 8601 wall-clock time. */
export function alertPayload(event: AlertEventRecord): Record<string, unknown> {
  const live = event.startedAt !== null ? { startsAt: isoWallClock(event.startedAt + event.start), endsAt: isoWallClock(event.startedAt + event.end) } : {};
  return {
    type: 'alert', id: event.id, rule: { id: event.ruleId, name: event.ruleName }, source: event.source, videoId: event.videoId, path: event.path,
    start: event.start, end: event.end, ...live, score: Math.round(event.score * 1000) / 1000,
    evidence: { clipId: event.clipId, thumbnail: event.thumbnail, snapshot: event.snapshot, snippet: event.snippet }, raisedAt: event.raisedAt,
  };
}

/** A rule for programs: as stored, an image rule without its vector (numbers of the store's model, not for people or scripts). */
export function alertRuleJson(rule: AlertRule): Record<string, unknown> {
  const { condition } = rule;
  if (condition.kind !== 'image') return { ...rule };
  const { vector: _vector, ...shown } = condition;
  return { ...rule, condition: shown };
}
