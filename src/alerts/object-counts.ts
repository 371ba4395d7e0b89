/**
 * What an object rule counts in a clip: the detections of its labels (and of its zone when it
 * names one) in the clip's frame that shows the most of them. Frames are counted apart: three
 * frames of one person are one person, not three.
 */
import type { ClipDetection } from '../core/detections.js';

export function countedDetections(detections: readonly ClipDetection[], labels: readonly string[], zone: string | null): ClipDetection[] {
  const byFrame = new Map<number, ClipDetection[]>();
  for (const d of detections) {
    if (!labels.includes(d.label) || (zone !== null && !d.zones.includes(zone))) continue;
    byFrame.set(d.time, [...(byFrame.get(d.time) ?? []), d]);
  }
  return [...byFrame.values()].reduce<ClipDetection[]>((most, frame) => (frame.length > most.length ? frame : most), []);
}
