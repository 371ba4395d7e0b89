/**
 * The converter's pure parts on constructed inputs: TF's window padding, StridedSlice masks,
 * fused-op and resize attributes, filter layouts, weight decoding, Reshape's -1, attribute JSON.
 */
import { describe, expect, it } from 'vitest';
import { conv2dFilter, depthwiseFilter } from '../models/detector/filter-layout.js';
import { fusedActivation, resizeCoordinateMode } from '../models/detector/op-attributes.js';
import { padAxis, padWindow2d } from '../models/detector/same-padding.js';
import { planStridedSlice, type StridedSliceMasks } from '../models/detector/strided-slice.js';
import { AttributeReader } from '../models/detector/tf-attributes.js';
import { resolveReshape } from '../models/detector/tf-ops.js';
import { decodeWeightsGroup, float16ToFloat32 } from '../models/detector/tfjs-weights.js';

const axis = (input: number, kernel: number, stride = 1, dilation = 1) => ({ input, kernel, stride, dilation });

describe('TF window padding', () => {
  it('SAME puts the odd pixel after, and none before at stride 2 on an even input', () => {
    expect(padAxis(axis(512, 3, 2), 'SAME')).toEqual({ before: 0, after: 1, output: 256 });
    expect(padAxis(axis(7, 3, 2), 'SAME')).toEqual({ before: 1, after: 1, output: 4 });
    expect(padAxis(axis(8, 4, 1), 'SAME')).toEqual({ before: 1, after: 2, output: 8 });
    expect(padAxis(axis(8, 5, 2), 'SAME')).toEqual({ before: 1, after: 2, output: 4 });
    expect(padAxis(axis(128, 1, 1), 'SAME')).toEqual({ before: 0, after: 0, output: 128 });
  });

  it('SAME counts a dilated kernel at its full reach', () => {
    expect(padAxis(axis(10, 3, 1, 2), 'SAME')).toEqual({ before: 2, after: 2, output: 10 });
    expect(padAxis(axis(10, 3, 1, 3), 'SAME')).toEqual({ before: 3, after: 3, output: 10 });
  });

  it('never pads negatively when the stride outruns the kernel', () => {
    expect(padAxis(axis(9, 1, 4), 'SAME')).toEqual({ before: 0, after: 0, output: 3 });
  });

  it('VALID and EXPLICIT', () => {
    expect(padAxis(axis(7, 3, 2), 'VALID')).toEqual({ before: 0, after: 0, output: 3 });
    expect(padAxis(axis(6, 3, 1, 2), 'VALID')).toEqual({ before: 0, after: 0, output: 2 });
    expect(padAxis(axis(7, 3, 2), 'EXPLICIT', [2, 0])).toEqual({ before: 2, after: 0, output: 4 });
  });

  it('gives ONNX pads as [top, left, bottom, right], reading explicit_paddings per NHWC axis', () => {
    expect(padWindow2d(axis(7, 3, 2), axis(8, 3, 2), 'SAME')).toEqual({ pads: [1, 0, 1, 1], outputHeight: 4, outputWidth: 4 });
    expect(padWindow2d(axis(5, 3), axis(5, 3), 'EXPLICIT', [0, 0, 1, 2, 3, 4, 0, 0])).toEqual({ pads: [1, 3, 2, 4], outputHeight: 6, outputWidth: 10 });
    expect(() => padWindow2d(axis(5, 3), axis(5, 3), 'FULL')).toThrow(/unknown padding/);
  });
});

describe('StridedSlice', () => {
  const masks = (m: Partial<StridedSliceMasks>): StridedSliceMasks => ({ begin: 0, end: 0, ellipsis: 0, newAxis: 0, shrinkAxis: 0, ...m });

  it("CenterNet's x[:, :, 0:1] needs only the last axis cut", () => {
    expect(planStridedSlice([1, 100, 4], [0, 0, 0], [0, 0, 1], [1, 1, 1], masks({ begin: 3, end: 3 }))).toEqual({
      slice: { starts: [0], ends: [1], axes: [2], steps: [1] },
      slicedShape: [1, 100, 1],
      outputShape: [1, 100, 1],
    });
  });

  it('shrinks an axis to one index, counting a negative index from the end', () => {
    const plan = planStridedSlice([2, 5, 6], [0, -1], [0, 0], [1, 1], masks({ begin: 1, end: 1, shrinkAxis: 2 }));
    expect(plan.slice).toEqual({ starts: [4], ends: [5], axes: [1], steps: [1] });
    expect(plan.outputShape).toEqual([2, 6]);
  });

  it('walks backwards with masked ends, which ONNX spells below -dim', () => {
    const plan = planStridedSlice([5], [0], [0], [-2], masks({ begin: 1, end: 1 }));
    expect(plan.slice).toEqual({ starts: [4], ends: [-6], axes: [0], steps: [-2] });
    expect(plan.outputShape).toEqual([3]);
  });

  it('clamps out-of-range bounds as TF does', () => {
    const plan = planStridedSlice([5], [-10], [10], [1], masks({}));
    expect(plan.slice).toBeUndefined();
    expect(plan.outputShape).toEqual([5]);
    expect(planStridedSlice([5], [3], [1], [1], masks({})).outputShape).toEqual([0]);
  });

  it('expands an ellipsis to whole axes and inserts new ones', () => {
    // x[..., None, 1:3] on [2, 3, 4]
    const plan = planStridedSlice([2, 3, 4], [0, 0, 1], [0, 0, 3], [1, 1, 1], masks({ ellipsis: 1, newAxis: 2 }));
    expect(plan.slice).toEqual({ starts: [1], ends: [3], axes: [2], steps: [1] });
    expect(plan.slicedShape).toEqual([2, 3, 2]);
    expect(plan.outputShape).toEqual([2, 3, 1, 2]);
    // x[None, ..., 0] on [2, 3, 4]
    expect(planStridedSlice([2, 3, 4], [0, 0, 0], [0, 0, 1], [1, 1, 1], masks({ newAxis: 1, ellipsis: 2, shrinkAxis: 4 })).outputShape).toEqual([1, 2, 3]);
  });

  it('refuses what TF refuses', () => {
    expect(() => planStridedSlice([5], [7], [8], [1], masks({ shrinkAxis: 1 }))).toThrow(/out of bounds/);
    expect(() => planStridedSlice([5], [0], [5], [0], masks({}))).toThrow(/stride 0/);
    expect(() => planStridedSlice([5], [0, 0], [1, 1], [1, 1], masks({ ellipsis: 3 }))).toThrow(/more than one ellipsis/);
  });
});

describe('op attributes', () => {
  it('reads fused activations after BiasAdd', () => {
    expect(fusedActivation(['BiasAdd'], 1, 0.2)).toBeUndefined();
    expect(fusedActivation(['BiasAdd', 'Relu'], 1, 0.2)).toEqual({ kind: 'Relu' });
    expect(fusedActivation(['BiasAdd', 'Relu6'], 1, 0.2)).toEqual({ kind: 'Relu6' });
    expect(fusedActivation(['BiasAdd', 'LeakyRelu'], 1, 0.1)).toEqual({ kind: 'LeakyRelu', alpha: 0.1 });
    expect(fusedActivation(['BiasAdd', 'Prelu'], 2, 0.2)).toEqual({ kind: 'Prelu' });
  });

  it('refuses fused ops tfjs does not run', () => {
    expect(() => fusedActivation(['FusedBatchNorm'], 4, 0.2)).toThrow(/not supported/);
    expect(() => fusedActivation(['BiasAdd', 'Prelu'], 1, 0.2)).toThrow(/need 2 extra arguments/);
    expect(() => fusedActivation(['BiasAdd', 'Tanh'], 1, 0.2)).toThrow(/tanh is not supported/);
  });

  it("maps ResizeBilinear's flags to ONNX coordinate modes", () => {
    expect(resizeCoordinateMode(false, false)).toBe('asymmetric');
    expect(resizeCoordinateMode(false, true)).toBe('half_pixel');
    expect(resizeCoordinateMode(true, false)).toBe('align_corners');
    expect(() => resizeCoordinateMode(true, true)).toThrow();
  });

  it('reads attribute JSON: base64 strings, int64 strings, empty lists, proto defaults', () => {
    const attrs = new AttributeReader('n', {
      padding: { s: Buffer.from('SAME').toString('base64') },
      strides: { list: { i: ['1', '2', '2', '1'] } },
      explicit_paddings: { list: {} },
      shrink_axis_mask: { i: '0' },
      begin_mask: {},
      keep_dims: { b: true },
      T: { type: 'DT_FLOAT' },
      shape: { shape: { dim: [{ size: '1' }, { size: '-1' }] } },
    });
    expect(attrs.string('padding')).toBe('SAME');
    expect(attrs.ints('strides')).toEqual([1, 2, 2, 1]);
    expect(attrs.ints('explicit_paddings')).toEqual([]);
    expect(attrs.int('shrink_axis_mask')).toBe(0);
    expect(attrs.int('begin_mask')).toBe(0);
    expect(attrs.int('end_mask', 0)).toBe(0);
    expect(attrs.bool('keep_dims')).toBe(true);
    expect(attrs.type('T')).toBe('DT_FLOAT');
    expect(attrs.shape('shape')).toEqual([1, -1]);
    expect(() => attrs.int('ellipsis_mask')).toThrow(/ellipsis_mask is missing/);
  });
});

describe('filter layouts', () => {
  const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

  it('conv2d [h, w, in, out] → [out, in, h, w]', () => {
    const filter = conv2dFilter([2, 1, 2, 3], iota(12));
    expect(filter.dims).toEqual([3, 2, 2, 1]);
    expect(filter.group).toBe(1);
    // TF index (y, x, i, o) = ((y·1 + x)·2 + i)·3 + o; ONNX order o, i, y.
    expect(Array.from(filter.values)).toEqual([0, 6, 3, 9, 1, 7, 4, 10, 2, 8, 5, 11]);
  });

  it('depthwise [h, w, c, m] → [c·m, 1, h, w], output c·m + m reading channel c', () => {
    const filter = depthwiseFilter([1, 2, 2, 2], iota(8));
    expect(filter.dims).toEqual([4, 1, 1, 2]);
    expect(filter.group).toBe(2);
    // TF index (y, x, c, m) = (x·2 + c)·2 + m.
    expect(Array.from(filter.values)).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
  });
});

describe('weights', () => {
  it('widens float16 exactly, subnormals and specials included', () => {
    expect(float16ToFloat32(0x3c00)).toBe(1);
    expect(float16ToFloat32(0xc000)).toBe(-2);
    expect(float16ToFloat32(0x3555)).toBe(0.333251953125);
    expect(float16ToFloat32(0x7bff)).toBe(65504);
    expect(float16ToFloat32(0x0400)).toBe(2 ** -14);
    expect(float16ToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16ToFloat32(0x8000)).toBe(-0);
    expect(float16ToFloat32(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(float16ToFloat32(0x7e00)).toBeNaN();
  });

  it('splits a group at any byte offset and dequantizes each weight as tfjs does', () => {
    const bytes = new Uint8Array(2 + 8 + 2 + 4 + 3);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 0x3e00, true); // float16 1.5, leaving the int32s at offset 2
    view.setInt32(2, -7, true);
    view.setInt32(6, 123456, true);
    bytes.set([0, 255], 10); // uint8 float32, then uint8 int32
    bytes.set([1, 2, 3, 4], 12);
    bytes.set([1, 0, 1], 16);
    const weights = decodeWeightsGroup(
      {
        paths: ['w.bin'],
        weights: [
          { name: 'half', shape: [], dtype: 'float32', quantization: { dtype: 'float16' } },
          { name: 'ints', shape: [2], dtype: 'int32' },
          { name: 'affine', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
          { name: 'rounded', shape: [4], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.3, min: 0 } },
          { name: 'flags', shape: [3], dtype: 'bool' },
        ],
      },
      bytes,
    );
    expect(Array.from(weights.get('half')!.values)).toEqual([1.5]);
    expect(Array.from(weights.get('ints')!.values)).toEqual([-7, 123456]);
    expect(Array.from(weights.get('affine')!.values)).toEqual([-1, 126.5]);
    expect(Array.from(weights.get('rounded')!.values)).toEqual([0, 1, 1, 1]);
    expect(Array.from(weights.get('flags')!.values)).toEqual([1, 0, 1]);
  });

  it('says when the shards are shorter than the manifest', () => {
    expect(() => decodeWeightsGroup({ paths: [], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }, new Uint8Array(12))).toThrow(/end 4 bytes early/);
  });
});

describe('Reshape', () => {
  it("resolves TF's -1 and refuses shapes that do not fit", () => {
    expect(resolveReshape([1, 128, 128, 80], [1, -1])).toEqual([1, 1310720]);
    expect(resolveReshape([1, 100, 4], [100, 4])).toEqual([100, 4]);
    expect(() => resolveReshape([6], [4, -1])).toThrow(/cannot reshape/);
    expect(() => resolveReshape([6], [-1, -1])).toThrow(/more than one -1/);
  });
});
