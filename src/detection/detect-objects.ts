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
  /**
   * Seconds between two frames looked at (`--detect-fps`, inverted), within a clip too; absent:
   * one frame a clip at most, the first that moved.
   */
  readonly interval?: number;
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

/** A full-size frame the detector looked at, and when it was shown. */
export interface FrameLookedAt {
  readonly time: number;
  readonly frame: RgbFrame;
}

/** What a clip is given: the detector's text among its texts, its detections, and the frames they were found in (to draw them on). */
export interface ObjectsSeen {
  readonly texts?: readonly ClipText[];
  /** Every box of every frame looked at, each with the time of its frame. */
  readonly detections: readonly ClipDetection[];
  /** The frames looked at, in order (for a still clip, the last one before it); none before any was. */
  readonly detectedIn: readonly FrameLookedAt[];
}

/** "3 person, 1 car": counts by label, the most first, as the clip's text says what was seen. */
export function describeDetections(detections: readonly Detection[]): string {
  const counts = new Map<string, number>();
  for (const d of detections) counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label, n]) => `${n} ${label}`).join(', ');
}

/** The frame of the most boxes, which says what the clip showed: "3 person, 1 car". */
function busiest(looked: ReadonlyArray<{ readonly time: number; readonly found: readonly Detection[] }>): { time: number; found: readonly Detection[] } {
  return looked.reduce((best, frame) => (frame.found.length > best.found.length ? frame : best));
}

/**
 * Gives each clip what the object detector saw (the detector channel): the frames whose picture
 * moved since the frame looked at last, one a clip, or with `interval` one each `interval`
 * seconds; a clip where nothing moved carries the last finding forward, boxes included. The text
 * tells the busiest frame, and keeps its time.
 */
export function detectObjects<T extends ClipToLook>(options: DetectObjectsOptions): OperatorFunction<T, T & ObjectsSeen> {
  const changePercent = options.changePercent ?? CHANGE_PERCENT;
  const { interval } = options;
  const zones = options.zones ?? [];
  return (source) =>
    defer(() => {
      let reference: { rgb: Uint8Array; time: number } | null = null;
      let last: { looked: FrameLookedAt[]; detections: ClipDetection[]; text: string; confidence: number } | null = null;
      const due = (f: ClipToLook['clip']['frames'][number], lookedInClip: number): boolean => {
        if (!f.rgb) return false;
        if (interval === undefined) {
          if (lookedInClip > 0) return false;
        } else if (reference !== null && f.time >= reference.time && f.time - reference.time < interval) {
          // (A live source's new segment counts its time from 0 again: a frame before the last looked at is of a new timeline.)
          return false;
        }
        return reference === null || changedPercent(reference.rgb, f.rgb) >= changePercent;
      };
      const look = async (memory: T): Promise<T & ObjectsSeen> => {
        const { clip } = memory;
        const looked: Array<{ time: number; frame: RgbFrame; found: Detection[] }> = [];
        for (const f of clip.frames) {
          if (!due(f, looked.length)) continue;
          const started = performance.now();
          const frame = await options.grab(f.time, { rgb: f.rgb!, width: f.width, height: f.height });
          const found = await options.detect(frame);
          options.onDetect?.(performance.now() - started);
          looked.push({ time: f.time, frame, found });
          reference = { rgb: f.rgb!, time: f.time };
        }
        let seen: ClipText | null = null;
        if (looked.length > 0) {
          const best = busiest(looked);
          const detections = looked.flatMap(({ time, found }) => found.map((d) => ({ ...d, time, zones: zonesOf(d.box, zones) })));
          const confidence = Math.max(0, ...detections.map((d) => d.score));
          last = { looked: looked.map(({ time, frame }) => ({ time, frame })), detections, text: describeDetections(best.found), confidence };
          if (last.text) seen = { channel: 'detector', text: last.text, start: best.time, end: clip.end, confidence };
        } else if (last?.text) {
          seen = { channel: 'detector', text: last.text, start: clip.start, end: clip.end, confidence: last.confidence };
        }
        const objects = { detections: last?.detections ?? [], detectedIn: last?.looked ?? [] };
        return seen ? { ...memory, ...objects, texts: [...(memory.texts ?? []), seen] } : { ...memory, ...objects };
      };
      return source.pipe(concatMap((memory) => from(look(memory))));
    });
}
