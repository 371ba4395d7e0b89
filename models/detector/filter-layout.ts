/**
 * Convolution filters rearranged from TensorFlow's layout to ONNX's.
 *
 * TF stores a conv2d filter as [height, width, in, out] and a depthwise one as
 * [height, width, channels, multiplier], where output channel c·multiplier + m reads input
 * channel c. ONNX wants [out, in / group, height, width]; with group = channels its grouped
 * convolution gives output o to group ⌊o / multiplier⌋, the same channel TF assigns it.
 */

export interface OnnxFilter {
  readonly dims: readonly [number, number, number, number];
  readonly values: Float32Array;
  readonly group: number;
}

export function conv2dFilter(shape: readonly number[], values: Float32Array): OnnxFilter {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) {
          out[((o * cin + i) * kh + y) * kw + x] = values[((y * kw + x) * cin + i) * cout + o]!;
        }
      }
    }
  }
  return { dims: [cout, cin, kh, kw], values: out, group: 1 };
}

export function depthwiseFilter(shape: readonly number[], values: Float32Array): OnnxFilter {
  const [kh, kw, channels, multiplier] = shape as [number, number, number, number];
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let c = 0; c < channels; c++) {
        for (let m = 0; m < multiplier; m++) {
          out[((c * multiplier + m) * kh + y) * kw + x] = values[((y * kw + x) * channels + c) * multiplier + m]!;
        }
      }
    }
  }
  return { dims: [channels * multiplier, 1, kh, kw], values: out, group: channels };
}
