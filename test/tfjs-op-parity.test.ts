/**
 * Each op mapping held to TensorFlow.js on small graphs written for the purpose, at the sizes
 * where TF's rules bite: SAME padding with the odd pixel after (stride 2 on even and odd inputs,
 * even kernels, dilation), depthwise multipliers, fused activations, all three bilinear resize
 * modes at a non-integer scale, StridedSlice masks, integer floor division of negative numbers,
 * and a CenterNet-like peak decode (MaxPool, Equal, TopK, Gather). Weights are stored as float16,
 * so dequantization is on the way too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { TfAttrValue } from '../models/detector/tf-attributes.js';
import type { TfNode } from '../models/detector/tfjs-model.js';
import type { WeightSpec } from '../models/detector/tfjs-weights.js';
import { convertTfjsModel } from '../models/detector/tfjs-to-onnx.js';
import { seededRandom } from '../src/core/seeded-random.js';
import { tempDir } from './helpers/cli.js';
import { maxAbsDifference } from './helpers/detection-parity.js';
import { loadTfjsGraph } from './helpers/tfjs-graph.js';

const s = (value: string): TfAttrValue => ({ s: Buffer.from(value).toString('base64') });
const strings = (...values: string[]): TfAttrValue => ({ list: { s: values.map((v) => Buffer.from(v).toString('base64')) } });
const i = (value: number): TfAttrValue => ({ i: String(value) });
const list = (...values: number[]): TfAttrValue => ({ list: { i: values.map(String) } });
const b = (value: boolean): TfAttrValue => ({ b: value });
const type = (value: string): TfAttrValue => ({ type: value });

/** A value well inside float16's range as the bits of a nearby float16 (a rounding carry moves into the exponent). */
function toFloat16(value: number): number {
  const sign = value < 0 ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude < 2 ** -14) return sign | Math.round(magnitude / 2 ** -24);
  const exponent = Math.floor(Math.log2(magnitude));
  return sign | (((exponent + 15) << 10) + Math.round((magnitude / 2 ** exponent - 1) * 1024));
}

/** A tfjs graph model written from scratch: nodes, and weights in one shard. */
class TinyGraph {
  private readonly nodes: TfNode[] = [];
  private readonly specs: WeightSpec[] = [];
  private readonly chunks: Buffer[] = [];
  private readonly random = seededRandom(7);

  input(name: string, shape: readonly number[]): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: type('DT_FLOAT'), shape: { shape: { dim: shape.map((size) => ({ size: String(size) })) } } } });
    return name;
  }

  /** Random float weights in −1…1, stored as float16. */
  weights(name: string, shape: readonly number[]): string {
    const count = shape.reduce((x, y) => x * y, 1);
    const bytes = Buffer.alloc(count * 2);
    for (let k = 0; k < count; k++) bytes.writeUInt16LE(toFloat16(this.random() * 2 - 1), 2 * k);
    return this.constant(name, { name, shape, dtype: 'float32', quantization: { dtype: 'float16' } }, bytes);
  }

  ints(name: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    const bytes = Buffer.alloc(values.length * 4);
    values.forEach((v, k) => bytes.writeInt32LE(v, 4 * k));
    return this.constant(name, { name, shape, dtype: 'int32' }, bytes);
  }

  op(name: string, op: string, inputs: readonly string[], attr: Record<string, TfAttrValue> = {}): string {
    this.nodes.push({ name, op, input: inputs, attr });
    return name;
  }

  write(folder: string): string {
    writeFileSync(join(folder, 'weights.bin'), Buffer.concat(this.chunks));
    const modelJson = join(folder, 'model.json');
    writeFileSync(modelJson, JSON.stringify({ format: 'graph-model', modelTopology: { node: this.nodes, library: {}, versions: {} }, weightsManifest: [{ paths: ['weights.bin'], weights: this.specs }] }));
    return modelJson;
  }

  private constant(name: string, spec: WeightSpec, bytes: Buffer): string {
    this.nodes.push({ name, op: 'Const', attr: { dtype: type(spec.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT') } });
    this.specs.push(spec);
    this.chunks.push(bytes);
    return name;
  }
}

/** What every real NHWC window op carries (tfjs reads dilations without a default). */
const NHWC = { data_format: s('NHWC'), dilations: list(1, 1, 1, 1) };

/** Runs the graph on random input through tfjs and through the converted ONNX; the largest difference per output. */
async function differences(graph: TinyGraph, input: { name: string; shape: readonly number[] }, outputs: readonly string[], scale = 1): Promise<number[]> {
  const folder = tempDir('vidmem-tfjs-ops-');
  const modelJson = graph.write(folder);
  const onnxPath = join(folder, 'model.onnx');
  await convertTfjsModel(modelJson, onnxPath, { outputs });
  const random = seededRandom(11);
  const count = input.shape.reduce((x, y) => x * y, 1);
  const data = Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);

  const reference = await loadTfjsGraph(modelJson);
  const expected = await reference.run(data, input.shape, outputs);
  reference.dispose();
  const session = await ort.InferenceSession.create(onnxPath);
  const results = await session.run({ [input.name]: new ort.Tensor('float32', data, [...input.shape]) });
  await session.release();
  return outputs.map((name, k) => {
    const tensor = results[name]!;
    expect(tensor.data.length).toBe(expected[k]!.length);
    const actual = tensor.type === 'int64' ? Float32Array.from(tensor.data as BigInt64Array, Number) : (tensor.data as Float32Array);
    return maxAbsDifference(expected[k]!, actual);
  });
}

describe('TF ops converted to ONNX, against tfjs', () => {
  it('convolutions with SAME, VALID and EXPLICIT padding, strides, dilation and fused activations', async () => {
    const g = new TinyGraph();
    const x = g.input('x', [1, 9, 8, 3]);
    const conv = (name: string, kernel: [number, number], stride: number, padding: string, extra: Record<string, TfAttrValue> = {}) =>
      g.op(name, 'Conv2D', [x, g.weights(`${name}/w`, [...kernel, 3, 4])], { ...NHWC, strides: list(1, stride, stride, 1), padding: s(padding), ...extra });
    const outputs = [
      conv('same_s2', [3, 3], 2, 'SAME'),
      conv('same_even_kernel', [4, 2], 1, 'SAME'),
      conv('same_k5_s2', [5, 5], 2, 'SAME'),
      conv('valid_s2', [3, 3], 2, 'VALID'),
      conv('dilated', [3, 3], 1, 'SAME', { dilations: list(1, 2, 2, 1) }),
      conv('explicit', [3, 3], 2, 'EXPLICIT', { explicit_paddings: list(0, 0, 2, 0, 1, 3, 0, 0) }),
      ...['Relu', 'Relu6', 'Elu', 'Sigmoid', 'LeakyRelu'].map((activation) =>
        g.op(`fused_${activation}`, '_FusedConv2D', [x, g.weights(`fused_${activation}/w`, [3, 3, 3, 4]), g.weights(`fused_${activation}/b`, [4])], {
          ...NHWC,
          strides: list(1, 2, 2, 1),
          padding: s('SAME'),
          fused_ops: strings('BiasAdd', activation),
          num_args: i(1),
          ...(activation === 'LeakyRelu' ? { leakyrelu_alpha: { f: 0.3 } } : {}),
        }),
      ),
    ];
    const deltas = await differences(g, { name: x, shape: [1, 9, 8, 3] }, outputs, 4);
    deltas.forEach((delta) => expect(delta).toBeLessThan(1e-4));
  });

  it('depthwise convolutions with a channel multiplier, and max pooling', async () => {
    const g = new TinyGraph();
    const x = g.input('x', [1, 7, 6, 3]);
    const depthwise = g.op('dw', 'DepthwiseConv2dNative', [x, g.weights('dw/w', [3, 3, 3, 2])], { ...NHWC, strides: list(1, 2, 2, 1), padding: s('SAME') });
    const fused = g.op('dw_fused', 'FusedDepthwiseConv2dNative', [x, g.weights('dwf/w', [5, 3, 3, 1]), g.weights('dwf/b', [3])], {
      ...NHWC,
      strides: list(1, 1, 1, 1),
      padding: s('SAME'),
      fused_ops: strings('BiasAdd', 'Relu6'),
      num_args: i(1),
    });
    const pool = g.op('pool', 'MaxPool', [x], { ...NHWC, ksize: list(1, 3, 3, 1), strides: list(1, 2, 2, 1), padding: s('SAME') });
    const deltas = await differences(g, { name: x, shape: [1, 7, 6, 3] }, [depthwise, fused, pool], 4);
    deltas.forEach((delta) => expect(delta).toBeLessThan(1e-4));
  });

  it('bilinear resizing in each coordinate mode, at a non-integer scale', async () => {
    const g = new TinyGraph();
    const x = g.input('x', [1, 5, 7, 2]);
    const size = g.ints('size', [8, 11]);
    const modes = { legacy: [false, false], half_pixel: [false, true], align_corners: [true, false] } as const;
    const outputs = Object.entries(modes).map(([name, [alignCorners, halfPixel]]) =>
      g.op(name, 'ResizeBilinear', [x, size], { align_corners: b(alignCorners), half_pixel_centers: b(halfPixel) }),
    );
    const deltas = await differences(g, { name: x, shape: [1, 5, 7, 2] }, outputs);
    deltas.forEach((delta) => expect(delta).toBeLessThan(1e-5));
  });

  it('means, concatenation and elementwise ops across NCHW and TF-order values', async () => {
    const g = new TinyGraph();
    const x = g.input('x', [1, 6, 6, 4]);
    const conv = g.op('conv', 'Conv2D', [x, g.weights('conv/w', [1, 1, 4, 4])], { ...NHWC, strides: list(1, 1, 1, 1), padding: s('SAME') });
    const axes = g.ints('axes', [1, 2]);
    const squeezeExcite = g.op('se', 'Mean', [conv, axes], { keep_dims: b(true) });
    const gated = g.op('gated', 'Mul', [conv, g.op('gate', 'Sigmoid', [squeezeExcite])]);
    const biased = g.op('biased', 'Add', [gated, g.weights('bias', [4])]);
    const shifted = g.op('shifted', 'Sub', [g.weights('offsets', [1, 1, 6, 1]), biased]);
    const joined = g.op('joined', 'ConcatV2', [shifted, x, g.ints('axis', [-1], [])], { N: i(2) });
    const flat = g.op('flat', 'Mean', [joined, g.ints('channel', [3], [])], { keep_dims: b(false) });
    const deltas = await differences(g, { name: x, shape: [1, 6, 6, 4] }, [joined, flat, g.op('relu', 'Relu', [biased])]);
    deltas.forEach((delta) => expect(delta).toBeLessThan(1e-5));
  });

  it('strided slices with shrink, new-axis, ellipsis and negative strides', async () => {
    const g = new TinyGraph();
    const x = g.input('x', [2, 5, 6]);
    const slice = (name: string, begin: number[], end: number[], strides: number[], masks: Record<string, number>) =>
      g.op(name, 'StridedSlice', [x, g.ints(`${name}/b`, begin), g.ints(`${name}/e`, end), g.ints(`${name}/s`, strides)], {
        begin_mask: i(masks.begin ?? 0),
        end_mask: i(masks.end ?? 0),
        ellipsis_mask: i(masks.ellipsis ?? 0),
        new_axis_mask: i(masks.newAxis ?? 0),
        shrink_axis_mask: i(masks.shrink ?? 0),
      });
    const outputs = [
      slice('shrink_last_row', [0, -1], [0, 0], [1, 1], { begin: 1, end: 1, shrink: 2 }),
      slice('backwards', [1, 4, 5], [0, 0, 0], [-1, -2, -3], { begin: 1, end: 7 }),
      slice('ellipsis_new_axis', [0, 0, 1], [0, 0, 5], [1, 1, 2], { ellipsis: 1, newAxis: 2 }),
      slice('clamped', [-9, 1], [9, 100], [1, 1], {}),
    ];
    const deltas = await differences(g, { name: x, shape: [2, 5, 6] }, outputs);
    deltas.forEach((delta) => expect(delta).toBe(0));
  });

  it('integer floor division and modulo of negative numbers', async () => {
    const g = new TinyGraph();
    const x = g.input('x', [2, 6]);
    const ints = g.op('ints', 'Cast', [x], { SrcT: type('DT_FLOAT'), DstT: type('DT_INT32') });
    const divisors = g.ints('divisors', [4, -3, 5, -2, 7, 3]);
    const outputs = [g.op('div', 'FloorDiv', [ints, divisors]), g.op('mod', 'FloorMod', [ints, divisors]), g.op('fdiv', 'FloorDiv', [x, g.weights('fdivisor', [6])])];
    const deltas = await differences(g, { name: x, shape: [2, 6] }, outputs, 20);
    expect(deltas[0]).toBe(0);
    expect(deltas[1]).toBe(0);
    expect(deltas[2]).toBe(0);
  });

  it('a CenterNet-style peak decode: MaxPool, Equal, TopK, Gather, ExpandDims, Reshape', async () => {
    const g = new TinyGraph();
    const x = g.input('x', [1, 8, 8, 3]);
    const heat = g.op('heat', 'Sigmoid', [x]);
    const peaks = g.op('peaks', 'MaxPool', [heat], { ...NHWC, ksize: list(1, 3, 3, 1), strides: list(1, 1, 1, 1), padding: s('SAME') });
    const mask = g.op('mask', 'Cast', [g.op('eq', 'Equal', [heat, peaks])], { SrcT: type('DT_BOOL'), DstT: type('DT_FLOAT') });
    const flat = g.op('flat', 'Reshape', [g.op('kept', 'Mul', [heat, mask]), g.ints('flat/shape', [1, -1])]);
    const top = g.op('top', 'TopKV2', [flat, g.ints('k', [5], [])], { sorted: b(true) });
    const cells = g.op('cells', 'FloorDiv', [`${top}:1`, g.ints('classes', [3], [])]);
    const table = g.op('table', 'Reshape', [x, g.ints('table/shape', [64, 3])]);
    const gathered = g.op('gathered', 'GatherV2', [table, g.op('cells_flat', 'Reshape', [cells, g.ints('cells/shape', [-1])]), g.ints('gather/axis', [0], [])], { batch_dims: i(0) });
    const scores = g.op('scores', 'ExpandDims', [top, g.ints('dim', [-1], [])]);
    const deltas = await differences(g, { name: x, shape: [1, 8, 8, 3] }, [scores, `${top}:1`, gathered], 3);
    deltas.forEach((delta) => expect(delta).toBeLessThan(1e-6));
  });
});
