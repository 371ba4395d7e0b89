/**
 * TF ops as ONNX nodes (opset 17), one converter per op type. Each reads its inputs from the
 * value table in the axis order it needs (see tensor-layout.ts), emits nodes and declares its
 * outputs with their TF shapes, which are all known while converting: TF's SAME padding and the
 * -1 of a Reshape are resolved here, so the graph carries no shape arithmetic of its own.
 */
import { elemType, float, int, ints, string, type GraphBuilder } from '../onnx-graph.js';
import { conv2dFilter, depthwiseFilter } from './filter-layout.js';
import { fusedActivation, resizeCoordinateMode, type Activation } from './op-attributes.js';
import { padWindow2d } from './same-padding.js';
import { planStridedSlice } from './strided-slice.js';
import type { AttributeReader } from './tf-attributes.js';
import { broadcastShapes, NCHW_AXIS, onnxType, Values, type Constant, type Layout, type TfDtype } from './tensor-layout.js';

export interface OpNode {
  readonly name: string;
  readonly op: string;
  /** Data inputs (control dependencies left out). */
  readonly inputs: readonly string[];
  readonly attrs: AttributeReader;
}

export interface OpContext {
  readonly graph: GraphBuilder;
  readonly values: Values;
}

type Converter = (node: OpNode, context: OpContext) => void;

const TF_DTYPES: Readonly<Record<string, TfDtype>> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_BOOL: 'bool' };
const ONNX_DATA_TYPE: Readonly<Record<TfDtype, number>> = { float32: 1, int32: 7, bool: 9 };

export function tfDtype(type: string, where: string): TfDtype {
  const dtype = TF_DTYPES[type];
  if (!dtype) throw new Error(`${where}: dtype ${type} is not supported`);
  return dtype;
}

function input(node: OpNode, index: number): string {
  const ref = node.inputs[index];
  if (ref === undefined) throw new Error(`no input ${index}`);
  return ref;
}

/** Inputs that TF computes from constants but ONNX takes as attributes or fixed shapes. */
function constantInput(node: OpNode, index: number, values: Values): Constant {
  const constant = values.constant(input(node, index));
  if (!constant) throw new Error(`input ${index} must be a constant`);
  return constant;
}

function constantInts(node: OpNode, index: number, values: Values): number[] {
  return Array.from(constantInput(node, index, values).values);
}

function normalizeAxis(axis: number, rank: number): number {
  const normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return normalized;
}

/** NHWC attribute lists ([1, h, w, 1]) must leave N and C alone. */
function spatial(list: readonly number[], what: string): [number, number] {
  if (list.length !== 4 || list[0] !== 1 || list[3] !== 1) throw new Error(`${what} [${list.join(', ')}] must be [1, h, w, 1]`);
  return [list[1]!, list[2]!];
}

function requireNhwc(node: OpNode): void {
  const format = node.attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC') throw new Error(`data_format ${format} is not supported (tfjs graphs are NHWC)`);
}

function activate(graph: GraphBuilder, values: Values, activation: Activation, x: string, output: string, slopes?: string): string {
  switch (activation.kind) {
    case 'Relu':
    case 'Elu':
    case 'Sigmoid':
      return graph.node(activation.kind, [x], {}, output);
    case 'Relu6':
      return graph.node('Clip', [x, values.scalar(0), values.scalar(6)], {}, output);
    case 'LeakyRelu':
      return graph.node('LeakyRelu', [x], { alpha: float(activation.alpha) }, output);
    case 'Prelu':
      if (!slopes) throw new Error('PRelu without slopes');
      return graph.node('PRelu', [x, slopes], {}, output);
  }
}

function convolution(kind: 'conv' | 'depthwise', fused: boolean): Converter {
  return (node, { graph, values }) => {
    requireNhwc(node);
    const x = input(node, 0);
    const filter = constantInput(node, 1, values);
    const [batch, height, width] = values.shape(x) as [number, number, number, number];
    const [strideH, strideW] = spatial(node.attrs.ints('strides'), 'strides');
    const [dilationH, dilationW] = spatial(node.attrs.ints('dilations', [1, 1, 1, 1]), 'dilations');
    const [kh, kw] = filter.shape as [number, number];
    const window = padWindow2d(
      { input: height, kernel: kh, stride: strideH, dilation: dilationH },
      { input: width, kernel: kw, stride: strideW, dilation: dilationW },
      node.attrs.string('padding'),
      node.attrs.ints('explicit_paddings', []),
    );
    const onnxFilter = (kind === 'conv' ? conv2dFilter : depthwiseFilter)(filter.shape, filter.values as Float32Array);
    const inputs = [values.nchw(x), graph.float32(`${node.name}:filter`, onnxFilter.dims, onnxFilter.values)];
    let activation: Activation | undefined;
    let slopes: string | undefined;
    if (fused) {
      activation = fusedActivation(node.attrs.strings('fused_ops'), node.attrs.int('num_args'), node.attrs.float('leakyrelu_alpha', 0.2));
      inputs.push(values.tf(input(node, 2)));
      if (activation?.kind === 'Prelu') slopes = values.operand(input(node, 3), 'nchw');
    }
    const channels = onnxFilter.dims[0];
    const output = values.define(node.name, { shape: [batch, window.outputHeight, window.outputWidth, channels], dtype: 'float32' }, 'nchw');
    const attributes = {
      kernel_shape: ints(kh, kw),
      strides: ints(strideH, strideW),
      dilations: ints(dilationH, dilationW),
      pads: ints(...window.pads),
      group: int(onnxFilter.group),
    };
    const conv = graph.node('Conv', inputs, attributes, activation ? `${node.name}:conv` : output);
    if (activation) activate(graph, values, activation, conv, output, slopes);
  };
}

function unaryActivation(kind: 'Relu' | 'Relu6' | 'Sigmoid'): Converter {
  return (node, { graph, values }) => {
    const x = input(node, 0);
    const layout = values.layout(x);
    const output = values.define(node.name, { shape: values.shape(x), dtype: values.dtype(x) }, layout);
    activate(graph, values, { kind }, values.current(x), output);
  };
}

type Binary = 'Add' | 'Sub' | 'Mul' | 'Equal' | 'FloorDiv' | 'FloorMod';

function binary(op: Binary): Converter {
  return (node, { graph, values }) => {
    const a = input(node, 0);
    const b = input(node, 1);
    const dtype = values.dtype(a);
    const layout = values.broadcastLayout([a, b]);
    const x = values.operand(a, layout);
    const y = values.operand(b, layout);
    const shape = broadcastShapes(values.shape(a), values.shape(b));
    const output = values.define(node.name, { shape, dtype: op === 'Equal' ? 'bool' : dtype }, layout);
    switch (op) {
      case 'FloorDiv':
        if (dtype === 'float32') {
          graph.node('Floor', [graph.node('Div', [x, y], {}, `${node.name}:quotient`)], {}, output);
        } else {
          // ONNX's integer Div truncates toward zero; x − floormod(x, y) is an exact multiple of y,
          // so dividing it gives TF's floor for any signs.
          const remainder = graph.node('Mod', [x, y], { fmod: int(0) }, `${node.name}:remainder`);
          graph.node('Div', [graph.node('Sub', [x, remainder], {}, `${node.name}:multiple`), y], {}, output);
        }
        return;
      case 'FloorMod':
        // fmod = 0 is the integer remainder with the divisor's sign: TF's FloorMod.
        if (dtype !== 'int32') throw new Error('only int32 is supported');
        graph.node('Mod', [x, y], { fmod: int(0) }, output);
        return;
      default:
        graph.node(op, [x, y], {}, output);
    }
  };
}

const maxPool: Converter = (node, { graph, values }) => {
  requireNhwc(node);
  const x = input(node, 0);
  const [batch, height, width, channels] = values.shape(x) as [number, number, number, number];
  const [kh, kw] = spatial(node.attrs.ints('ksize'), 'ksize');
  const [strideH, strideW] = spatial(node.attrs.ints('strides'), 'strides');
  const window = padWindow2d(
    { input: height, kernel: kh, stride: strideH, dilation: 1 },
    { input: width, kernel: kw, stride: strideW, dilation: 1 },
    node.attrs.string('padding'),
    node.attrs.ints('explicit_paddings', []),
  );
  const output = values.define(node.name, { shape: [batch, window.outputHeight, window.outputWidth, channels], dtype: 'float32' }, 'nchw');
  // ONNX MaxPool leaves padded cells out of the maximum, as TF does.
  graph.node('MaxPool', [values.nchw(x)], { kernel_shape: ints(kh, kw), strides: ints(strideH, strideW), pads: ints(...window.pads) }, output);
};

const mean: Converter = (node, { graph, values }) => {
  const x = input(node, 0);
  const shape = values.shape(x);
  const axes = [...new Set(constantInts(node, 1, values).map((axis) => normalizeAxis(axis, shape.length)))].sort((p, q) => p - q);
  const keep = node.attrs.bool('keep_dims', false);
  const outShape = keep ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
  // ONNX reads an empty axes list as "all axes"; TF as "none".
  if (axes.length === 0) return values.alias(node.name, x);
  const layout: Layout = keep && values.layout(x) === 'nchw' ? 'nchw' : 'tf';
  const onnxAxes = layout === 'nchw' ? axes.map((axis) => NCHW_AXIS[axis]!).sort((p, q) => p - q) : axes;
  const output = values.define(node.name, { shape: outShape, dtype: values.dtype(x) }, layout);
  graph.node('ReduceMean', [values.operand(x, layout)], { axes: ints(...onnxAxes), keepdims: int(keep ? 1 : 0) }, output);
};

const resizeBilinear: Converter = (node, { graph, values }) => {
  const x = input(node, 0);
  const [batch, , , channels] = values.shape(x) as [number, number, number, number];
  const [height, width] = constantInts(node, 1, values) as [number, number];
  const mode = resizeCoordinateMode(node.attrs.bool('align_corners', false), node.attrs.bool('half_pixel_centers', false));
  const sizes = graph.int64(`${node.name}:sizes`, [4], [batch, channels, height, width]);
  const output = values.define(node.name, { shape: [batch, height, width, channels], dtype: 'float32' }, 'nchw');
  graph.node('Resize', [values.nchw(x), '', '', sizes], { mode: string('linear'), coordinate_transformation_mode: string(mode) }, output);
};

const concat: Converter = (node, { graph, values }) => {
  const parts = node.inputs.slice(0, -1);
  const first = values.shape(parts[0]!);
  const [axisValue] = constantInts(node, node.inputs.length - 1, values);
  const axis = normalizeAxis(axisValue!, first.length);
  const layout: Layout = parts.every((part) => values.shape(part).length === 4) && parts.some((part) => values.layout(part) === 'nchw') ? 'nchw' : 'tf';
  const shape = first.map((d, i) => (i === axis ? parts.reduce((sum, part) => sum + values.shape(part)[i]!, 0) : d));
  const output = values.define(node.name, { shape, dtype: values.dtype(parts[0]!) }, layout);
  graph.node('Concat', parts.map((part) => values.operand(part, layout)), { axis: int(layout === 'nchw' ? NCHW_AXIS[axis]! : axis) }, output);
};

/** TF's -1 resolved against the element count, so ONNX gets the shape spelled out. */
export function resolveReshape(from: readonly number[], to: readonly number[]): number[] {
  const count = from.reduce((a, b) => a * b, 1);
  const known = to.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const unknown = to.filter((d) => d === -1).length;
  if (unknown > 1) throw new Error(`Reshape to [${to.join(', ')}]: more than one -1`);
  const shape = to.map((d) => (d === -1 ? count / known : d));
  if (shape.reduce((a, b) => a * b, 1) !== count || shape.some((d) => !Number.isInteger(d))) {
    throw new Error(`cannot reshape [${from.join(', ')}] to [${to.join(', ')}]`);
  }
  return shape;
}

function reshapeTo(graph: GraphBuilder, node: OpNode, x: string, shape: readonly number[], output: string): string {
  const target = graph.int64(`${node.name}:shape`, [shape.length], [...shape]);
  // A 0 in ONNX's shape means "copy that dimension" unless allowzero is set; in TF it is a size.
  return graph.node('Reshape', [x, target], shape.includes(0) ? { allowzero: int(1) } : {}, output);
}

const reshape: Converter = (node, { graph, values }) => {
  const x = input(node, 0);
  const shape = resolveReshape(values.shape(x), constantInts(node, 1, values));
  const output = values.define(node.name, { shape, dtype: values.dtype(x) }, 'tf');
  reshapeTo(graph, node, values.tf(x), shape, output);
};

const expandDims: Converter = (node, { graph, values }) => {
  const x = input(node, 0);
  const shape = values.shape(x);
  const [dim] = constantInts(node, 1, values);
  const axis = normalizeAxis(dim!, shape.length + 1);
  const output = values.define(node.name, { shape: [...shape.slice(0, axis), 1, ...shape.slice(axis)], dtype: values.dtype(x) }, 'tf');
  graph.node('Unsqueeze', [values.tf(x), graph.int64(`${node.name}:axes`, [1], [axis])], {}, output);
};

const stridedSlice: Converter = (node, { graph, values }) => {
  const x = input(node, 0);
  const plan = planStridedSlice(values.shape(x), constantInts(node, 1, values), constantInts(node, 2, values), constantInts(node, 3, values), {
    begin: node.attrs.int('begin_mask', 0),
    end: node.attrs.int('end_mask', 0),
    ellipsis: node.attrs.int('ellipsis_mask', 0),
    newAxis: node.attrs.int('new_axis_mask', 0),
    shrinkAxis: node.attrs.int('shrink_axis_mask', 0),
  });
  const reshaped = plan.outputShape.join() !== plan.slicedShape.join();
  if (!plan.slice && !reshaped) return values.alias(node.name, x);
  const output = values.define(node.name, { shape: plan.outputShape, dtype: values.dtype(x) }, 'tf');
  let current = values.tf(x);
  if (plan.slice) {
    const { starts, ends, axes, steps } = plan.slice;
    const count = axes.length;
    current = graph.node(
      'Slice',
      [
        current,
        graph.int64(`${node.name}:starts`, [count], [...starts]),
        graph.int64(`${node.name}:ends`, [count], [...ends]),
        graph.int64(`${node.name}:axes`, [count], [...axes]),
        graph.int64(`${node.name}:steps`, [count], [...steps]),
      ],
      {},
      reshaped ? `${node.name}:sliced` : output,
    );
  }
  if (reshaped) reshapeTo(graph, node, current, plan.outputShape, output);
};

const gather: Converter = (node, { graph, values }) => {
  const params = input(node, 0);
  const indices = input(node, 1);
  const shape = values.shape(params);
  const [axisValue] = constantInts(node, 2, values);
  const axis = normalizeAxis(axisValue!, shape.length);
  if (node.attrs.int('batch_dims', 0) !== 0) throw new Error('batch_dims is not supported');
  const outShape = [...shape.slice(0, axis), ...values.shape(indices), ...shape.slice(axis + 1)];
  const output = values.define(node.name, { shape: outShape, dtype: values.dtype(params) }, 'tf');
  graph.node('Gather', [values.tf(params), values.tf(indices)], { axis: int(axis) }, output);
};

const topK: Converter = (node, { graph, values }) => {
  const x = input(node, 0);
  const shape = values.shape(x);
  const [k] = constantInts(node, 1, values);
  const outShape = [...shape.slice(0, -1), k!];
  const topValues = values.define(node.name, { shape: outShape, dtype: values.dtype(x) }, 'tf');
  const topIndices = values.define(`${node.name}:1`, { shape: outShape, dtype: 'int32' }, 'tf');
  // TF always sorts by value when `sorted` is set and leaves the order open when not.
  graph.nodeWithOutputs('TopK', [values.tf(x), graph.int64(`${node.name}:k`, [1], [k!])], [topValues, topIndices], {
    axis: int(-1),
    largest: int(1),
    sorted: int(1),
  });
};

const cast: Converter = (node, { graph, values }) => {
  const x = input(node, 0);
  const to = tfDtype(node.attrs.type('DstT'), 'DstT');
  const from = values.dtype(x);
  if (to === from) return values.alias(node.name, x);
  const layout = values.layout(x);
  const output = values.define(node.name, { shape: values.shape(x), dtype: to }, layout);
  graph.node('Cast', [values.current(x)], { to: to === 'bool' ? int(ONNX_DATA_TYPE.bool) : elemType(onnxType(to)) }, output);
};

const identity: Converter = (node, { values }) => values.alias(node.name, input(node, 0));

export const CONVERTERS: Readonly<Record<string, Converter>> = {
  Conv2D: convolution('conv', false),
  _FusedConv2D: convolution('conv', true),
  DepthwiseConv2dNative: convolution('depthwise', false),
  FusedDepthwiseConv2dNative: convolution('depthwise', true),
  MaxPool: maxPool,
  Relu: unaryActivation('Relu'),
  Relu6: unaryActivation('Relu6'),
  Sigmoid: unaryActivation('Sigmoid'),
  Add: binary('Add'),
  AddV2: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Equal: binary('Equal'),
  FloorDiv: binary('FloorDiv'),
  FloorMod: binary('FloorMod'),
  Mean: mean,
  ResizeBilinear: resizeBilinear,
  ConcatV2: concat,
  Reshape: reshape,
  ExpandDims: expandDims,
  StridedSlice: stridedSlice,
  GatherV2: gather,
  TopKV2: topK,
  Cast: cast,
  Identity: identity,
};
