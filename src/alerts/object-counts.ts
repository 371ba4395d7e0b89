/** What an object rule counts in a clip: the detections of its labels, and of its zone when it names one. */
import type { ClipDetection } from '../core/detections.js';

export function countedDetections(detections: readonly ClipDetection[], labels: readonly string[], zone: string | null): ClipDetection[] {
  return detections.filter((d) => labels.includes(d.label) && (zone === null || d.zones.includes(zone)));
}
