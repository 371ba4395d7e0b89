/**
 * The input size and the post-processing of PaddleOCR's DB (differentiable binarization) text
 * detector, after PaddleOCR's `DetResizeForTest` and `DBPostProcess` with the defaults of its
 * inference tools (threshold 0.3, box threshold 0.6, unclip ratio 1.5, fast box score).
 *
 * Boxes are axis-aligned where PaddleOCR fits rotated rectangles to contours: vidmem reads screen
 * text (slides, captions, overlays), which is horizontal, and axis-aligned boxes need only
 * connected components, not contour tracing, polygon offsetting and perspective crops.
 */
import type { Normalization, PixelRect } from './image-tensor.js';

/** The detector's output: the probability that each pixel of its input belongs to text. */
export interface ProbabilityMap {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

/** ImageNet's RGB statistics applied to BGR planes, exactly as PaddleOCR's training did. */
export const DETECTOR_NORMALIZATION: Normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

const THRESHOLD = 0.3;
const BOX_THRESHOLD = 0.6;
const UNCLIP_RATIO = 1.5;
const MIN_SIZE = 3;
const MAX_CANDIDATES = 1000;

/**
 * The detector's input size: the frame scaled so that its longest side is at most `limit`
 * (never enlarged, as PaddleOCR's `max` limit type), each side rounded to a multiple of 32
 * because the network downsamples five times.
 */
export function detectorInputSize(width: number, height: number, limit: number): { width: number; height: number } {
  const ratio = Math.max(width, height) > limit ? limit / Math.max(width, height) : 1;
  const side = (length: number): number => Math.max(32, Math.round((length * ratio) / 32) * 32);
  return { width: side(width), height: side(height) };
}

/**
 * Text boxes in frame pixels from the detector's probability map, in no particular order. The map
 * covers the whole frame, squeezed to the detector's input size.
 */
export function textBoxes(map: ProbabilityMap, frameWidth: number, frameHeight: number): PixelRect[] {
  const boxes: PixelRect[] = [];
  const scaleX = frameWidth / map.width;
  const scaleY = frameHeight / map.height;
  for (const c of components(map)) {
    // Box sides as PaddleOCR measures them: between the outermost pixel centres.
    const w = c.x1 - c.x0;
    const h = c.y1 - c.y0;
    if (Math.min(w, h) < MIN_SIZE || meanProbability(map, c) < BOX_THRESHOLD) continue;
    // DB is trained to mark text regions shrunk towards their middle; growing the box by
    // area · ratio / perimeter (PaddleOCR's unclip) gives back the whole line, ascenders included.
    const d = (w * h * UNCLIP_RATIO) / (2 * (w + h));
    if (Math.min(w, h) + 2 * d < MIN_SIZE + 2) continue;
    const x0 = clamp(Math.round((c.x0 - d) * scaleX), 0, frameWidth - 1);
    const x1 = clamp(Math.round((c.x1 + d) * scaleX), 0, frameWidth - 1);
    const y0 = clamp(Math.round((c.y0 - d) * scaleY), 0, frameHeight - 1);
    const y1 = clamp(Math.round((c.y1 + d) * scaleY), 0, frameHeight - 1);
    // As PaddleOCR: a sliver 3 pixels across in the frame cannot hold a readable character.
    if (x1 - x0 <= 3 || y1 - y0 <= 3) continue;
    boxes.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  }
  return boxes;
}

/** Bounds of one 8-connected region above the threshold, in map pixels, inclusive. */
interface Component {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

function components(map: ProbabilityMap): Component[] {
  const { data, width, height } = map;
  const seen = new Uint8Array(data.length);
  const stack = new Int32Array(data.length);
  const found: Component[] = [];
  for (let start = 0; start < data.length && found.length < MAX_CANDIDATES; start++) {
    if (seen[start] || !(data[start]! > THRESHOLD)) continue;
    seen[start] = 1;
    stack[0] = start;
    let size = 1;
    let x0 = width;
    let y0 = height;
    let x1 = 0;
    let y1 = 0;
    while (size > 0) {
      const p = stack[--size]!;
      const x = p % width;
      const y = (p - x) / width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
          const q = ny * width + nx;
          if (seen[q] || !(data[q]! > THRESHOLD)) continue;
          seen[q] = 1;
          stack[size++] = q;
        }
      }
    }
    found.push({ x0, y0, x1, y1 });
  }
  return found;
}

/** PaddleOCR's fast box score: the mean probability over the box, background pixels included. */
function meanProbability(map: ProbabilityMap, c: Component): number {
  let sum = 0;
  for (let y = c.y0; y <= c.y1; y++) {
    for (let x = c.x0; x <= c.x1; x++) sum += map.data[y * map.width + x]!;
  }
  return sum / ((c.x1 - c.x0 + 1) * (c.y1 - c.y0 + 1));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
