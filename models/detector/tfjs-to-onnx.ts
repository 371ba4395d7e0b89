/**
 * A tfjs graph model (model.json + shards) rewritten as an equivalent ONNX graph, so that vidmem
 * runs it on the onnxruntime it already uses instead of shipping TensorFlow.js.
 *
 * The ONNX graph keeps the tfjs model's interface: the same input and output names, NHWC input,
 * outputs in TF's shapes and order. Inside, convolutions run NCHW (tensor-layout.ts) and every
 * TF op becomes the ONNX ops that compute the same thing (tf-ops.ts). Only the nodes the chosen
 * outputs depend on are converted. The bytes depend only on the model and CONVERTER_VERSION.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeModel, GraphBuilder } from '../onnx-graph.js';
import { onnxType, Values } from './tensor-layout.js';
import { AttributeReader } from './tf-attributes.js';
import { CONVERTERS, tfDtype, type OpNode } from './tf-ops.js';
import { readTfjsGraphModel, type TfjsGraphModel, type TfNode } from './tfjs-model.js';

/** Bumped whenever the converter's output changes, so a cached conversion is made again. */
export const CONVERTER_VERSION = 1;

export interface ConvertOptions {
  /** TF names of the outputs to keep; default: the model signature's outputs. */
  readonly outputs?: readonly string[];
  /** The ONNX graph's name (default: the model's `generatedBy`, else "tfjs-graph"). */
  readonly name?: string;
}

const nodeOf = (ref: string): string => ref.replace(/^\^/, '').replace(/:\d+$/, '');

/** Nodes the outputs depend on, each after its inputs; iterative, since graphs can be deep. */
function dependencyOrder(nodes: ReadonlyMap<string, TfNode>, outputs: readonly string[]): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: { name: string; expanded: boolean }[] = outputs.map((ref) => ({ name: nodeOf(ref), expanded: false })).reverse();
  while (stack.length > 0) {
    const top = stack.pop()!;
    const node = nodes.get(top.name);
    if (!node) throw new Error(`the graph has no node ${top.name}`);
    if (top.expanded) {
      state.set(top.name, 'done');
      order.push(node);
      continue;
    }
    if (state.get(top.name) === 'done') continue;
    if (state.get(top.name) === 'open') throw new Error(`the graph has a cycle through ${top.name}`);
    state.set(top.name, 'open');
    stack.push({ name: top.name, expanded: true });
    for (const ref of [...(node.input ?? [])].reverse()) {
      if (state.get(nodeOf(ref)) !== 'done') stack.push({ name: nodeOf(ref), expanded: false });
    }
  }
  return order;
}

function signatureOutputs(model: TfjsGraphModel): string[] {
  const outputs = Object.values(model.json.signature?.outputs ?? {}).map((output) => Values.ref(output.name));
  if (outputs.length === 0) throw new Error('the model has no signature outputs; name the outputs to convert');
  return outputs;
}

function placeholderShape(node: TfNode, attrs: AttributeReader): number[] {
  const shape = attrs.shape('shape');
  if (!shape || shape.some((d) => d < 0)) {
    throw new Error(`input ${node.name} has shape [${shape?.join(', ') ?? '?'}]; the converter needs every size known`);
  }
  return [...shape];
}

export function convertTfjsGraph(model: TfjsGraphModel, options: ConvertOptions = {}): Uint8Array {
  const nodes = new Map(model.json.modelTopology.node.map((node) => [node.name, node]));
  const outputs = options.outputs?.map(Values.ref) ?? signatureOutputs(model);
  const order = dependencyOrder(nodes, outputs);
  const unsupported = [...new Set(order.map((node) => node.op).filter((op) => op !== 'Const' && op !== 'Placeholder' && !(op in CONVERTERS)))];
  if (unsupported.length > 0) throw new Error(`the graph uses ops the converter does not support: ${unsupported.sort().join(', ')}`);

  const graph = new GraphBuilder({
    name: options.name ?? model.json.generatedBy ?? 'tfjs-graph',
    doc: `converted from a tfjs ${model.json.format ?? 'graph'} model by vidmem's tfjs-to-onnx v${CONVERTER_VERSION}`,
  });
  const values = new Values(graph);
  for (const node of order) {
    const attrs = new AttributeReader(node.name, node.attr);
    if (node.op === 'Const') {
      const weight = model.weights.get(node.name);
      if (!weight) throw new Error(`constant ${node.name} is not in the weights manifest`);
      values.setConstant(node.name, weight);
    } else if (node.op === 'Placeholder') {
      const info = { shape: placeholderShape(node, attrs), dtype: tfDtype(attrs.type('dtype'), `input ${node.name}`) };
      graph.input(node.name, onnxType(info.dtype), info.shape);
      // Declared, not made: the graph input itself is the value in TF order.
      values.define(node.name, info, 'tf');
    } else {
      const op: OpNode = { name: node.name, op: node.op, inputs: (node.input ?? []).filter((ref) => !ref.startsWith('^')), attrs };
      try {
        CONVERTERS[node.op]!(op, { graph, values });
      } catch (err) {
        throw new Error(`${node.op} ${node.name}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  for (const ref of outputs) {
    const name = values.tf(ref);
    // A TF output that only passes another value on (an Identity) gets a node of its own here.
    if (name !== ref) graph.node('Identity', [name], {}, ref);
    graph.output(ref, onnxType(values.dtype(ref)), values.shape(ref));
  }
  return encodeModel({
    ...graph.toModel(),
    modelVersion: CONVERTER_VERSION,
    metadataProps: [{ key: 'vidmem.tfjs-to-onnx', value: String(CONVERTER_VERSION) }],
  });
}

/** Converts `modelJsonPath` into `onnxPath`, written beside as `.part` and renamed when whole. */
export async function convertTfjsModel(modelJsonPath: string, onnxPath: string, options: ConvertOptions = {}): Promise<void> {
  const bytes = convertTfjsGraph(await readTfjsGraphModel(modelJsonPath), options);
  await mkdir(dirname(onnxPath), { recursive: true });
  await writeFile(`${onnxPath}.part`, bytes);
  await rename(`${onnxPath}.part`, onnxPath);
}
