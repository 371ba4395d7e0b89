/**
 * Dynamic 8-bit quantization, the scheme of transformers.js' `*_quantized.onnx` (q8) files, which
 * onnxruntime's `quantize_dynamic` writes: every MatMul by a constant matrix becomes
 *
 *   DynamicQuantizeLinear(x) → MatMulInteger(x_q, W_q, x_zero, W_zero) → Cast → × (x_scale·W_scale)
 *
 * with W stored as uint8 (one scale and zero point per tensor) and x quantized per call.
 * Everything else, Conv included, stays float32.
 */
import type { onnx } from 'onnx-proto';
import { elemType, float32Values, nodeProto, tensorProto } from '../onnx-graph.js';

interface Quantized {
  readonly values: string;
  readonly scale: string;
  readonly zeroPoint: string;
}

/** Names onnxruntime gives the three tensors that stand for a quantized one. */
function quantizedNames(name: string): Quantized {
  return { values: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point` };
}

export function quantizeDynamic(model: onnx.IModelProto): onnx.IModelProto {
  const graph = model.graph ?? {};
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  const added: onnx.ITensorProto[] = [];
  const nodes: onnx.INodeProto[] = [];
  // Each tensor is quantized once however many MatMuls read it (q, k and v share their input).
  const quantized = new Map<string, Quantized>();

  const quantizeWeight = (name: string, values: Float32Array, dims: readonly number[]): Quantized => {
    const names = quantizedNames(name);
    const { data, scale, zeroPoint } = toUint8(values);
    added.push(
      tensorProto(names.values, 'uint8', dims, data),
      tensorProto(names.scale, 'float32', [], Float32Array.of(scale)),
      tensorProto(names.zeroPoint, 'uint8', [], Uint8Array.of(zeroPoint)),
    );
    return names;
  };

  const quantizeActivation = (name: string): Quantized => {
    const names = quantizedNames(name);
    nodes.push(
      nodeProto(`${name}_QuantizeLinear`, 'DynamicQuantizeLinear', [name], [names.values, names.scale, names.zeroPoint]),
    );
    return names;
  };

  const once = (name: string, quantize: () => Quantized): Quantized => {
    const known = quantized.get(name) ?? quantize();
    quantized.set(name, known);
    return known;
  };

  for (const node of graph.node ?? []) {
    const [input = '', weightName = ''] = node.input ?? [];
    const weight = initializers.get(weightName);
    const values = node.opType === 'MatMul' && weight?.dims?.length === 2 ? float32Values(weight) : undefined;
    if (!weight || !values) {
      nodes.push(node);
      continue;
    }
    const x = once(input, () => quantizeActivation(input));
    const w = once(weightName, () => quantizeWeight(weightName, values, (weight.dims ?? []).map(Number)));
    const output = node.output?.[0] ?? '';
    const name = node.name || output;
    const integer = `${output}_output_quantized`;
    const cast = `${integer}_cast_output`;
    const scale = `${x.scale}_mul_${w.scale}`;
    nodes.push(
      nodeProto(`${name}_quant`, 'MatMulInteger', [x.values, w.values, x.zeroPoint, w.zeroPoint], [integer]),
      nodeProto(`${name}_quant_cast`, 'Cast', [integer], [cast], { to: elemType('float32') }),
      nodeProto(`${name}_quant_scales_mul`, 'Mul', [x.scale, w.scale], [scale]),
      nodeProto(`${name}_quant_output_scale_mul`, 'Mul', [cast, scale], [output]),
    );
  }

  // The float matrices that were quantized are read by nothing now.
  const read = new Set(nodes.flatMap((node) => node.input ?? []));
  const kept = (graph.initializer ?? []).filter((tensor) => read.has(tensor.name ?? ''));
  return { ...model, graph: { ...graph, node: nodes, initializer: [...kept, ...added] } };
}

/**
 * Asymmetric uint8 over [min(w, 0), max(w, 0)]: zero stays exactly representable, which
 * MatMulInteger needs for its zero points.
 */
function toUint8(values: Float32Array): { data: Uint8Array; scale: number; zeroPoint: number } {
  let min = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  const scale = Math.fround((max - min) / 255 || 1);
  const zeroPoint = clampByte(Math.round(-min / scale));
  // Uint8Array stores by truncation; adding 0.5 first rounds, and the range is clamped above.
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = clampByte(values[i]! / scale + zeroPoint + 0.5);
  return { data, scale, zeroPoint };
}

function clampByte(value: number): number {
  return Math.min(255, Math.max(0, value));
}
