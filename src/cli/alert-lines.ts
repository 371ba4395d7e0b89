/** Alerts for people: one line each, in a live source's local time with its date, or in mm:ss of a file. */
import { formatMomentRange } from '../core/time-format.js';
import type { AlertEventRecord } from '../core/alerts.js';
import { displayPath } from './format.js';

/** "alert 2 'a red car' on door at 2026-12-04 14:03:05–14:03:09 (score 7.21), keyframe store/thumbs/3/5.jpg", an object rule's with its snapshot too, a recorded source's with its snippet. */
export function describeAlert(event: AlertEventRecord): string {
  const where = event.source ?? displayPath(event.path);
  const keyframe = event.thumbnail ? `, keyframe ${displayPath(event.thumbnail)}` : '';
  const snapshot = event.snapshot ? `, snapshot ${displayPath(event.snapshot)}` : '';
  const snippet = event.snippet ? `, snippet ${displayPath(event.snippet)}` : '';
  return `alert ${event.id} '${event.ruleName}' on ${where} at ${formatMomentRange(event)} (score ${event.score.toFixed(2)})${keyframe}${snapshot}${snippet}`;
}
