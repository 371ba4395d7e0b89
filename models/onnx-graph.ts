/**
 * A small builder for ONNX graphs, enough to write the built-in models in TypeScript.
 *
 * Output is deterministic: protobuf fields are written in field-number order, node and tensor
 * names come from a counter, and nothing depends on time or environment, so the same calls
 * always give the same bytes.
 */
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';

const { AttributeProto, ModelProto, TensorProto } = onnxProto.onnx;

/** IR 8 is what onnx-proto's schema knows; opset 17 is the first with LayerNormalization. */
const IR_VERSION = 8;
const OPSET = 17;

export type ElemType = 'float32' | 'int64' | 'uint8' | 'bool';

const DATA_TYPE: Record<ElemType, onnx.TensorProto.DataType> = {
  float32: TensorProto.DataType.FLOAT,
  int64: TensorProto.DataType.INT64,
  uint8: TensorProto.DataType.UINT8,
  bool: TensorProto.DataType.BOOL,
};

/** A fixed size, or a name for a size chosen at run time ("batch", "sequence"). */
export type Dim = number | string;

/** Attributes are tagged because a JavaScript number cannot say whether it is an int or a float. */
export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string };

export const int = (value: number): Attribute => ({ kind: 'int', value });
export const ints = (...value: number[]): Attribute => ({ kind: 'ints', value });
export const float = (value: number): Attribute => ({ kind: 'float', value });
export const string = (value: string): Attribute => ({ kind: 'string', value });
/** For Cast's `to` and other attributes that name an element type. */
export const elemType = (type: ElemType): Attribute => int(DATA_TYPE[type]);

function attributeProto(name: string, attribute: Attribute): onnx.IAttributeProto {
  switch (attribute.kind) {
    case 'int':
      return { name, type: AttributeProto.AttributeType.INT, i: attribute.value };
    case 'ints':
      return { name, type: AttributeProto.AttributeType.INTS, ints: [...attribute.value] };
    case 'float':
      return { name, type: AttributeProto.AttributeType.FLOAT, f: attribute.value };
    case 'string':
      return { name, type: AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(attribute.value) };
  }
}

/** ONNX raw_data is little-endian, as are the typed arrays on every platform Node supports. */
function bytesOf(data: Float32Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A tensor stored as raw bytes: the compact form exporters write and runtimes read fastest. */
export function tensorProto(
  name: string,
  type: ElemType,
  dims: readonly number[],
  data: Float32Array | BigInt64Array | Uint8Array,
): onnx.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(`tensor ${name}: ${data.length} values for shape [${dims.join(', ')}]`);
  }
  return { name, dataType: DATA_TYPE[type], dims: [...dims], rawData: bytesOf(data) };
}

/** The values of a float32 tensor stored as raw bytes; undefined for any other tensor. */
export function float32Values(tensor: onnx.ITensorProto): Float32Array | undefined {
  const raw = tensor.rawData;
  if (tensor.dataType !== TensorProto.DataType.FLOAT || !raw) return undefined;
  // A Float32Array must start on a 4-byte boundary; bytes sliced out of a decoded file may not.
  const aligned = raw.byteOffset % 4 === 0 ? raw : raw.slice();
  return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
}

export function nodeProto(
  name: string,
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Readonly<Record<string, Attribute>> = {},
): onnx.INodeProto {
  return {
    name,
    opType,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([key, value]) => attributeProto(key, value)),
  };
}

function valueInfo(name: string, type: ElemType, shape: readonly Dim[]): onnx.IValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: DATA_TYPE[type], shape: { dim } } } };
}

export interface GraphOptions {
  readonly name: string;
  /** Stored as the graph's doc_string, shown by tools such as Netron. */
  readonly doc?: string;
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private nodeCount = 0;

  constructor(private readonly options: GraphOptions) {}

  input(name: string, type: ElemType, shape: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares a graph output; `name` must be the output of a node (see node()'s `output`). */
  output(name: string, type: ElemType, shape: readonly Dim[]): void {
    if (!this.names.has(name)) throw new Error(`graph output ${name} is produced by no node`);
    this.outputs.push(valueInfo(name, type, shape));
  }

  float32(name: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    return this.initializer(tensorProto(name, 'float32', dims, values));
  }

  int64(name: string, dims: readonly number[], data: readonly number[]): string {
    return this.initializer(tensorProto(name, 'int64', dims, BigInt64Array.from(data, BigInt)));
  }

  initializer(tensor: onnx.ITensorProto): string {
    const name = tensor.name ?? '';
    this.claim(name);
    this.initializers.push(tensor);
    return name;
  }

  /** Adds a one-output node and returns the output's name (`output`, or a generated one). */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, Attribute>> = {},
    output?: string,
  ): string {
    const name = `${opType}_${this.nodeCount}`;
    const [result] = this.nodeWithOutputs(opType, inputs, [output ?? `${name}_output`], attributes);
    return result!;
  }

  /** Adds a node with several outputs, named by the caller. */
  nodeWithOutputs(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Readonly<Record<string, Attribute>> = {},
  ): readonly string[] {
    for (const input of inputs) {
      // An empty name is ONNX's way to skip an optional input.
      if (input !== '' && !this.names.has(input)) {
        throw new Error(`${opType} reads ${input}, which nothing defines yet`);
      }
    }
    outputs.forEach((output) => this.claim(output));
    this.nodes.push(nodeProto(`${opType}_${this.nodeCount++}`, opType, inputs, outputs, attributes));
    return outputs;
  }

  toModel(): onnx.IModelProto {
    return {
      irVersion: IR_VERSION,
      producerName: 'vidmem',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.options.name,
        docString: this.options.doc ?? null,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }

  toBytes(): Uint8Array {
    return encodeModel(this.toModel());
  }

  private claim(name: string): void {
    if (name === '' || this.names.has(name)) throw new Error(`tensor name "${name}" is empty or taken`);
    this.names.add(name);
  }
}

export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return ModelProto.encode(model).finish();
}
