/**
 * A frame stretched to the detector's square input, as @vladmandic/human feeds CenterNet: the
 * whole frame, aspect ratio not kept, through tf.image.resizeBilinear with its defaults
 * (align_corners and half_pixel_centers off, so output pixel x samples input x·in/out), values
 * left at 0–255. Keeping the model's own preprocessing keeps its scores; and since stretching maps
 * each axis linearly, a box's fractions of the input are its fractions of the frame.
 */

export interface RgbFrame {
  /** Packed rgb24, row after row. */
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
}

interface Taps {
  readonly low: Int32Array;
  readonly high: Int32Array;
  readonly weight: Float32Array;
}

/** Where each output row or column samples: TF's legacy scaling, clamped at the last pixel. */
function taps(input: number, output: number): Taps {
  const scale = input / output;
  const low = new Int32Array(output);
  const high = new Int32Array(output);
  const weight = new Float32Array(output);
  for (let i = 0; i < output; i++) {
    const at = i * scale;
    const floor = Math.floor(at);
    low[i] = Math.min(floor, input - 1);
    high[i] = Math.min(floor + 1, input - 1);
    weight[i] = at - floor;
  }
  return { low, high, weight };
}

/** NHWC float32 [size, size, 3] into `out` (allocated when not given). */
export function stretchToSquare(frame: RgbFrame, size: number, out = new Float32Array(size * size * 3)): Float32Array {
  const { rgb, width, height } = frame;
  if (rgb.length !== width * height * 3) throw new Error(`frame of ${width}×${height} needs ${width * height * 3} rgb bytes, got ${rgb.length}`);
  const rows = taps(height, size);
  const columns = taps(width, size);
  for (let y = 0; y < size; y++) {
    const top = rows.low[y]! * width * 3;
    const bottom = rows.high[y]! * width * 3;
    const dy = rows.weight[y]!;
    for (let x = 0; x < size; x++) {
      const left = columns.low[x]! * 3;
      const right = columns.high[x]! * 3;
      const dx = columns.weight[x]!;
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const topValue = rgb[top + left + c]! + (rgb[top + right + c]! - rgb[top + left + c]!) * dx;
        const bottomValue = rgb[bottom + left + c]! + (rgb[bottom + right + c]! - rgb[bottom + left + c]!) * dx;
        out[o + c] = topValue + (bottomValue - topValue) * dy;
      }
    }
  }
  return out;
}
