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

export function quantizeDynamic(model: onnx.IModelProto): onnx.IModelProto {
  const graph = model.graph ?? {};
  const weights = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  const added: onnx.ITensorProto[] = [];
  const activations = new Map<string, Quantized>();
  const nodes: onnx.INodeProto[] = [];

  const quantizeWeight = (name: string, values: Float32Array): Quantized => {
    const { data, scale, zeroPoint } = toUint8(values);
    const dims = (weights.get(name)?.dims ?? []).map(Number);
    const quantized = { values: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point` };
    added.push(
      tensorProto(quantized.values, 'uint8', dims, data),
      tensorProto(quantized.scale, 'float32', [], Float32Array.of(scale)),
      tensorProto(quantized.zeroPoint, 'uint8', [], Uint8Array.of(zeroPoint)),
    );
    return quantized;
  };

  // q, k and v read the same activation: it is quantized once, as onnxruntime does.
  const quantizeActivation = (name: string): Quantized => {
    const known = activations.get(name);
    if (known) return known;
    const quantized = { values: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point` };
    nodes.push(
      nodeProto(`${name}_QuantizeLinear`, 'DynamicQuantizeLinear', [name], [
        quantized.values,
        quantized.scale,
        quantized.zeroPoint,
      ]),
    );
    activations.set(name, quantized);
    return quantized;
  };

  for (const node of graph.node ?? []) {
    const [input, weightName] = node.input ?? [];
    const weight = weightName === undefined ? undefined : weights.get(weightName);
    const values = weight && weight.dims?.length === 2 ? float32Values(weight) : undefined;
    if (node.opType !== 'MatMul' || input === undefined || !weightName || !values) {
      nodes.push(node);
      continue;
    }
    const x = quantizeActivation(input);
    const w = quantizeWeight(weightName, values);
    const output = node.output?.[0] ?? '';
    const name = node.name ?? output;
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
