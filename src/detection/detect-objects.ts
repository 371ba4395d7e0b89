import { concatMap, defer, from, type OperatorFunction } from 'rxjs';
import type { ClipText } from '../core/clip-text.js';
import type { ClipDetection, Detection } from '../core/detections.js';
import { changedPercent } from '../core/pixel-change.js';
import { zonesOf, type Zone } from '../core/zones.js';
import type { RgbFrame } from './resize-frame.js';

export interface DetectObjectsOptions {
  readonly detect: (frame: RgbFrame) => Promise<Detection[]>;
  /**
   * The frame shown at `time` at full size: people far from the camera are a few pixels of an
   * encoder's frame, which is given too, for a source that has nothing bigger to offer.
   */
  readonly grab: (time: number, encoded: RgbFrame) => Promise<RgbFrame>;
  /** The source's zones; each detection is told which of them it stands in. */
  readonly zones?: readonly Zone[];
  /** Percent of pixels that must differ from the frame looked at last before another is looked at. */
  readonly changePercent?: number;
  /** Called after each detection with the milliseconds it took, grabbing the frame included. */
  readonly onDetect?: (ms: number) => void;
}

/** Where the picture moved: a person walking in (≈1 % of a 224² frame), not compression noise. */
const CHANGE_PERCENT = 0.5;

interface ClipToLook {
  readonly clip: {
    readonly start: number;
    readonly end: number;
    readonly frames: ReadonlyArray<{ readonly time: number; readonly rgb: Uint8Array | null; readonly width: number; readonly height: number }>;
  };
  readonly texts?: readonly ClipText[];
}

/** What a clip is given: the detector's text among its texts, its detections, and the frame they were found in (to draw them on). */
export interface ObjectsSeen {
  readonly texts?: readonly ClipText[];
  readonly detections: readonly ClipDetection[];
  /** The full-size frame looked at (for a still clip, the last one before it); null before any was. */
  readonly detectedIn: RgbFrame | null;
}

/** "3 person, 1 car": counts by label, the most first, as the clip's text says what was seen. */
export function describeDetections(detections: readonly Detection[]): string {
  const counts = new Map<string, number>();
  for (const d of detections) counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label, n]) => `${n} ${label}`).join(', ');
}

/**
 * Gives each clip what the object detector saw (the detector channel): one frame a clip is looked
 * at, the first whose picture moved since the frame looked at last; a clip where nothing moved
 * carries the last finding forward, boxes included. The text keeps the time of the frame it was
 * seen in.
 */
export function detectObjects<T extends ClipToLook>(options: DetectObjectsOptions): OperatorFunction<T, T & ObjectsSeen> {
  const changePercent = options.changePercent ?? CHANGE_PERCENT;
  const zones = options.zones ?? [];
  return (source) =>
    defer(() => {
      let last: { rgb: Uint8Array; frame: RgbFrame; detections: ClipDetection[]; text: string; confidence: number } | null = null;
      const look = async (memory: T): Promise<T & ObjectsSeen> => {
        const { clip } = memory;
        const moved = clip.frames.find((f) => f.rgb && (!last || changedPercent(last.rgb, f.rgb) >= changePercent));
        let seen: ClipText | null = null;
        if (moved?.rgb) {
          const started = performance.now();
          const frame = await options.grab(moved.time, { rgb: moved.rgb, width: moved.width, height: moved.height });
          const found = await options.detect(frame);
          options.onDetect?.(performance.now() - started);
          const detections = found.map((d) => ({ ...d, time: moved.time, zones: zonesOf(d.box, zones) }));
          last = { rgb: moved.rgb, frame, detections, text: describeDetections(found), confidence: Math.max(0, ...found.map((d) => d.score)) };
          if (last.text) seen = { channel: 'detector', text: last.text, start: moved.time, end: clip.end, confidence: last.confidence };
        } else if (last?.text) {
          seen = { channel: 'detector', text: last.text, start: clip.start, end: clip.end, confidence: last.confidence };
        }
        const objects = { detections: last?.detections ?? [], detectedIn: last?.frame ?? null };
        return seen ? { ...memory, ...objects, texts: [...(memory.texts ?? []), seen] } : { ...memory, ...objects };
      };
      return source.pipe(concatMap((memory) => from(look(memory))));
    });
}
