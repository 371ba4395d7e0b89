/**
 * TensorFlow's window padding (conv2d, depthwise conv2d, pooling) turned into the explicit pads
 * ONNX takes. Written out rather than left to ONNX's auto_pad so the graph says exactly what TF
 * computes: SAME puts the odd pixel of padding after (bottom/right), which at stride 2 on an even
 * input means no padding before at all and one pixel after.
 */

export type TfPadding = 'SAME' | 'VALID' | 'EXPLICIT';

export interface WindowAxis {
  readonly input: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
}

export interface AxisPadding {
  readonly before: number;
  readonly after: number;
  readonly output: number;
}

/** One spatial axis; `explicit` is the [before, after] pair of TF's explicit_paddings. */
export function padAxis(axis: WindowAxis, padding: TfPadding, explicit?: readonly [number, number]): AxisPadding {
  const { input, kernel, stride, dilation } = axis;
  const window = (kernel - 1) * dilation + 1;
  switch (padding) {
    case 'VALID':
      return { before: 0, after: 0, output: Math.max(0, Math.floor((input - window) / stride) + 1) };
    case 'SAME': {
      const output = Math.ceil(input / stride);
      const total = Math.max(0, (output - 1) * stride + window - input);
      const before = Math.floor(total / 2);
      return { before, after: total - before, output };
    }
    case 'EXPLICIT': {
      if (!explicit) throw new Error('EXPLICIT padding without explicit_paddings');
      const [before, after] = explicit;
      return { before, after, output: Math.max(0, Math.floor((input + before + after - window) / stride) + 1) };
    }
  }
}

export interface Window2d {
  /** ONNX order: [top, left, bottom, right]. */
  readonly pads: readonly [number, number, number, number];
  readonly outputHeight: number;
  readonly outputWidth: number;
}

/**
 * Both spatial axes of an NHWC op. `explicitPaddings` is TF's flat list of 8 (before and after
 * for N, H, W, C), used only with EXPLICIT.
 */
export function padWindow2d(
  height: WindowAxis,
  width: WindowAxis,
  padding: string,
  explicitPaddings: readonly number[] = [],
): Window2d {
  if (padding !== 'SAME' && padding !== 'VALID' && padding !== 'EXPLICIT') throw new Error(`unknown padding ${padding}`);
  const pair = (i: number): [number, number] | undefined =>
    explicitPaddings.length === 8 ? [explicitPaddings[2 * i]!, explicitPaddings[2 * i + 1]!] : undefined;
  const h = padAxis(height, padding, pair(1));
  const w = padAxis(width, padding, pair(2));
  return { pads: [h.before, w.before, h.after, w.after], outputHeight: h.output, outputWidth: w.output };
}
