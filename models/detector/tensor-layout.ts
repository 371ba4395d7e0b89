/**
 * The converter's table of TF values and the axis order each one is held in.
 *
 * TF graphs from tfjs are NHWC; ONNX convolutions, pooling and resizing are NCHW. Rather than
 * wrap every convolution in a pair of transposes, a 4-D value produced by an NCHW op stays NCHW
 * and the ops that follow run on it that way (elementwise ops, reductions over mapped axes,
 * concatenation on a mapped axis); a value goes back to TF order only where an op depends on the
 * order of elements (Reshape, TopK, Gather, StridedSlice, graph outputs). Each conversion is
 * made once per value.
 *
 * ONNX names follow the TF names: a value in TF order is called by its TF name, its NCHW form
 * by `<name>:nchw`. TF names cannot contain ':' beyond the output index, so nothing collides.
 */
import { ints, type GraphBuilder } from '../onnx-graph.js';

export type TfDtype = 'float32' | 'int32' | 'bool';

/** `tf`: TF's own axis order, any rank. `nchw`: a 4-D NHWC value held as NCHW. */
export type Layout = 'tf' | 'nchw';

/** Where TF axis i (of N, H, W, C) sits in the NCHW tensor. */
export const NCHW_AXIS: readonly number[] = [0, 2, 3, 1];
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

export interface ValueInfo {
  /** TF's shape (NHWC for images), whatever the layout it is held in. */
  readonly shape: readonly number[];
  readonly dtype: TfDtype;
}

export interface Constant extends ValueInfo {
  readonly values: Float32Array | Int32Array | Uint8Array;
}

interface Runtime extends ValueInfo {
  readonly layout: Layout;
}

/**
 * TF int32 tensors are held as ONNX int64: TopK, Gather, Reshape and Slice take int64 indices and
 * shapes, and every int32 value fits.
 */
export function onnxType(dtype: TfDtype): 'float32' | 'int64' {
  if (dtype === 'bool') throw new Error('bool tensors can be computed but not stored or returned by the converter');
  return dtype === 'float32' ? 'float32' : 'int64';
}

function transposeData(values: Float32Array | Int32Array, shape: readonly number[], perm: readonly number[]): Float32Array | Int32Array {
  const out = values instanceof Float32Array ? new Float32Array(values.length) : new Int32Array(values.length);
  const outShape = perm.map((axis) => shape[axis]!);
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let source = 0;
    for (let k = 0; k < perm.length; k++) source += index[k]! * strides[perm[k]!]!;
    out[o] = values[source]!;
    for (let k = outShape.length - 1; k >= 0 && ++index[k]! === outShape[k]; k--) index[k] = 0;
  }
  return out;
}

export class Values {
  private readonly runtime = new Map<string, Runtime>();
  private readonly constants = new Map<string, Constant>();
  private readonly aliases = new Map<string, string>();
  /** ONNX names already made, by `<ref>|<layout>`. */
  private readonly made = new Map<string, string>();

  constructor(private readonly graph: GraphBuilder) {}

  /** `node:0` and `node` are the same output. */
  static ref(input: string): string {
    return input.endsWith(':0') ? input.slice(0, -2) : input;
  }

  private resolve(ref: string): string {
    const key = Values.ref(ref);
    const target = this.aliases.get(key);
    return target === undefined ? key : this.resolve(target);
  }

  private info(ref: string): ValueInfo & { layout: Layout } {
    const key = this.resolve(ref);
    const constant = this.constants.get(key);
    if (constant) return { ...constant, layout: 'tf' };
    const value = this.runtime.get(key);
    if (!value) throw new Error(`value ${ref} is not defined yet`);
    return value;
  }

  setConstant(ref: string, constant: Constant): void {
    this.constants.set(Values.ref(ref), constant);
  }

  /**
   * Declares an op's output and returns the ONNX name its node must write: the TF name in TF
   * order, `<name>:nchw` in NCHW.
   */
  define(ref: string, info: ValueInfo, layout: Layout): string {
    const key = Values.ref(ref);
    if (layout === 'nchw' && info.shape.length !== 4) throw new Error(`${ref}: only 4-D values can be NCHW`);
    this.runtime.set(key, { ...info, layout });
    const name = layout === 'tf' ? key : `${key}:nchw`;
    this.made.set(`${key}|${layout}`, name);
    return name;
  }

  /** An op that passes its input through (Identity, a no-op Cast): same value, another TF name. */
  alias(ref: string, target: string): void {
    this.aliases.set(Values.ref(ref), this.resolve(target));
  }

  /** The constant's values, or undefined when the value is computed at run time. */
  constant(ref: string): Constant | undefined {
    return this.constants.get(this.resolve(ref));
  }

  shape(ref: string): readonly number[] {
    return this.info(ref).shape;
  }

  dtype(ref: string): TfDtype {
    return this.info(ref).dtype;
  }

  layout(ref: string): Layout {
    return this.info(ref).layout;
  }

  /** The value as it is held now, for ops that do not care about axis order (unary ones). */
  current(ref: string): string {
    return this.layout(ref) === 'nchw' ? this.nchw(ref) : this.tf(ref);
  }

  /** The value in TF's axis order. */
  tf(ref: string): string {
    const key = this.resolve(ref);
    return this.once(key, 'tf', () => {
      const constant = this.constants.get(key);
      if (constant) return this.initializer(key, constant.shape, constant);
      return this.graph.node('Transpose', [this.nchw(key)], { perm: ints(...NCHW_TO_NHWC) }, key);
    });
  }

  /** A 4-D value as NCHW. */
  nchw(ref: string): string {
    const key = this.resolve(ref);
    return this.once(key, 'nchw', () => {
      const constant = this.constants.get(key);
      if (constant) return this.nchwConstant(key, constant);
      if (this.shape(key).length !== 4) throw new Error(`${ref} has rank ${this.shape(key).length}; only 4-D values can be NCHW`);
      return this.graph.node('Transpose', [this.tf(key)], { perm: ints(...NHWC_TO_NCHW) }, `${key}:nchw`);
    });
  }

  /**
   * An operand of a broadcasting op computed in `layout`. In NCHW a constant of lower rank is
   * first given TF's implicit leading 1s (a [C] bias becomes [1, 1, 1, C]) and then permuted like
   * the 4-D operands; a scalar broadcasts the same either way.
   */
  operand(ref: string, layout: Layout): string {
    if (layout === 'tf' || this.shape(ref).length === 0) return this.tf(ref);
    return this.nchw(ref);
  }

  /** Whether a broadcasting op over these operands may run in NCHW, and whether that saves anything. */
  broadcastLayout(refs: readonly string[]): Layout {
    const possible = refs.every((ref) => {
      const rank = this.shape(ref).length;
      return rank === 4 || rank === 0 || (this.constant(ref) !== undefined && rank < 4);
    });
    return possible && refs.some((ref) => this.layout(ref) === 'nchw') ? 'nchw' : 'tf';
  }

  /** A float scalar initializer, shared by every op that needs the same one (Clip's bounds). */
  scalar(value: number): string {
    // Parentheses cannot occur in TF names, so this one is free.
    const name = `scalar(${value})`;
    return this.once(name, 'tf', () => this.graph.float32(name, [], [value]));
  }

  private once(key: string, layout: Layout, make: () => string): string {
    const known = this.made.get(`${key}|${layout}`);
    if (known !== undefined) return known;
    const name = make();
    this.made.set(`${key}|${layout}`, name);
    return name;
  }

  private nchwConstant(key: string, constant: Constant): string {
    const { shape } = constant;
    if (shape.length > 4) throw new Error(`constant ${key} has rank ${shape.length}; only up to 4 can be NCHW`);
    const nhwc = [...new Array<number>(4 - shape.length).fill(1), ...shape];
    if (constant.dtype === 'bool') throw new Error(`constant ${key}: bool constants are not supported`);
    const values = transposeData(constant.values as Float32Array | Int32Array, nhwc, NHWC_TO_NCHW);
    return this.initializer(`${key}:nchw`, NHWC_TO_NCHW.map((axis) => nhwc[axis]!), { ...constant, values });
  }

  private initializer(name: string, dims: readonly number[], constant: Constant): string {
    if (constant.dtype === 'float32') return this.graph.float32(name, dims, constant.values as Float32Array);
    if (constant.dtype === 'int32') return this.graph.int64(name, dims, Array.from(constant.values));
    throw new Error(`constant ${name}: bool constants are not supported`);
  }
}

/** Numpy broadcasting, which TF's elementwise ops follow. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    return x === 1 ? y : x;
  });
}
