/**
 * A tfjs weights manifest decoded into plain typed arrays, quantized weights restored the way
 * tfjs' own decodeWeights does: float16 widened exactly to float32, uint8/uint16 mapped through
 * `q * scale + min` (rounded for int32 weights). The converted graph therefore starts from the
 * very numbers tfjs computes with, and only the arithmetic can differ.
 */

export type WeightDtype = 'float32' | 'int32' | 'bool';

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: WeightDtype | 'string' | 'complex64';
  readonly quantization?: {
    readonly dtype: 'float16' | 'uint8' | 'uint16';
    readonly scale?: number;
    readonly min?: number;
  };
}

export interface WeightsGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightSpec[];
}

export interface Weight {
  readonly dtype: WeightDtype;
  readonly shape: readonly number[];
  readonly values: Float32Array | Int32Array | Uint8Array;
}

const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };

/** IEEE 754 half to float; every half is exactly representable as a float. */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function decodeOne(spec: WeightSpec, bytes: Uint8Array): Weight {
  const { name, shape, quantization } = spec;
  const dtype = spec.dtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new Error(`weight ${name}: dtype ${dtype} is not supported`);
  const count = shape.reduce((a, b) => a * b, 1);
  // Read through a DataView: weights lie at any byte offset, and typed arrays need alignment.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!quantization) {
    if (dtype === 'bool') return { dtype, shape, values: Uint8Array.from(bytes) };
    const values = dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
    for (let i = 0; i < count; i++) values[i] = dtype === 'float32' ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true);
    return { dtype, shape, values };
  }
  if (quantization.dtype === 'float16') {
    if (dtype !== 'float32') throw new Error(`weight ${name}: float16 quantization of ${dtype} is not supported`);
    return { dtype, shape, values: Float32Array.from({ length: count }, (_, i) => float16ToFloat32(view.getUint16(2 * i, true))) };
  }
  const { scale, min } = quantization;
  if (scale === undefined || min === undefined) throw new Error(`weight ${name}: ${quantization.dtype} quantization without scale and min`);
  const read = quantization.dtype === 'uint8' ? (i: number) => view.getUint8(i) : (i: number) => view.getUint16(2 * i, true);
  if (dtype === 'float32') return { dtype, shape, values: Float32Array.from({ length: count }, (_, i) => read(i) * scale + min) };
  if (dtype === 'int32') return { dtype, shape, values: Int32Array.from({ length: count }, (_, i) => Math.round(read(i) * scale + min)) };
  throw new Error(`weight ${name}: quantized ${dtype} is not supported`);
}

/**
 * Splits one group's shards (already read and concatenated, in manifest order) into its
 * weights, which lie back to back in the order the manifest lists them.
 */
export function decodeWeightsGroup(group: WeightsGroup, data: Uint8Array): Map<string, Weight> {
  const weights = new Map<string, Weight>();
  let offset = 0;
  for (const spec of group.weights) {
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const bytesPer = STORED_BYTES[stored];
    if (bytesPer === undefined) throw new Error(`weight ${spec.name}: dtype ${stored} is not supported`);
    const length = spec.shape.reduce((a, b) => a * b, 1) * bytesPer;
    if (offset + length > data.length) throw new Error(`weight ${spec.name}: the shards end ${offset + length - data.length} bytes early`);
    weights.set(spec.name, decodeOne(spec, data.subarray(offset, offset + length)));
    offset += length;
  }
  return weights;
}
