import { concatMap, defer, from, type OperatorFunction } from 'rxjs';
import type { ClipText } from '../core/clip-text.js';
import { changedPercent } from '../core/pixel-change.js';
import type { Detection } from './detector.js';
import type { RgbFrame } from './resize-frame.js';

export interface DetectObjectsOptions {
  readonly detect: (frame: RgbFrame) => Promise<Detection[]>;
  /**
   * The frame shown at `time` at full size: people far from the camera are a few pixels of an
   * encoder's frame, which is given too, for a source that has nothing bigger to offer.
   */
  readonly grab: (time: number, encoded: RgbFrame) => Promise<RgbFrame>;
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

/** "3 person, 1 car": counts by label, the most first, as the clip's text says what was seen. */
export function describeDetections(detections: readonly Detection[]): string {
  const counts = new Map<string, number>();
  for (const d of detections) counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label, n]) => `${n} ${label}`).join(', ');
}

/**
 * Gives each clip what the object detector saw (the detector channel): one frame a clip is looked
 * at, the first whose picture moved since the frame looked at last; a clip where nothing moved
 * carries the last finding forward. The text keeps the time of the frame it was seen in.
 */
export function detectObjects<T extends ClipToLook>(options: DetectObjectsOptions): OperatorFunction<T, T & Pick<ClipToLook, 'texts'>> {
  const changePercent = options.changePercent ?? CHANGE_PERCENT;
  return (source) =>
    defer(() => {
      let last: { rgb: Uint8Array; text: string; confidence: number } | null = null;
      const look = async (memory: T): Promise<T & Pick<ClipToLook, 'texts'>> => {
        const { clip } = memory;
        const moved = clip.frames.find((f) => f.rgb && (!last || changedPercent(last.rgb, f.rgb) >= changePercent));
        let seen: ClipText | null = null;
        if (moved?.rgb) {
          const started = performance.now();
          const detections = await options.detect(await options.grab(moved.time, { rgb: moved.rgb, width: moved.width, height: moved.height }));
          options.onDetect?.(performance.now() - started);
          last = { rgb: moved.rgb, text: describeDetections(detections), confidence: Math.max(0, ...detections.map((d) => d.score)) };
          if (last.text) seen = { channel: 'detector', text: last.text, start: moved.time, end: clip.end, confidence: last.confidence };
        } else if (last?.text) {
          seen = { channel: 'detector', text: last.text, start: clip.start, end: clip.end, confidence: last.confidence };
        }
        return seen ? { ...memory, texts: [...(memory.texts ?? []), seen] } : memory;
      };
      return source.pipe(concatMap((memory) => from(look(memory))));
    });
}
