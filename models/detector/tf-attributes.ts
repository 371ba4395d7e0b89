/**
 * TensorFlow node attributes as a tfjs model.json stores them: the protobuf JSON mapping of
 * AttrValue, where strings are base64, 64-bit integers are decimal strings and a missing field
 * means the proto default. Reading them in one place keeps those quirks out of the op mappings.
 */

export interface TfShapeProto {
  readonly dim?: readonly { readonly size?: string | number }[];
  readonly unknownRank?: boolean;
}

export interface TfAttrValue {
  readonly s?: string;
  readonly i?: string | number;
  readonly f?: number;
  readonly b?: boolean;
  readonly type?: string;
  readonly shape?: TfShapeProto;
  readonly list?: {
    readonly s?: readonly string[];
    readonly i?: readonly (string | number)[];
    readonly f?: readonly number[];
    readonly b?: readonly boolean[];
  };
}

export type TfAttrs = Readonly<Record<string, TfAttrValue>>;

function required<T>(value: T | undefined, node: string, name: string, fallback: T | undefined): T {
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`node ${node}: attribute ${name} is missing`);
}

const decodeBase64 = (value: string): string => Buffer.from(value, 'base64').toString('utf8');

export class AttributeReader {
  constructor(
    private readonly node: string,
    private readonly attrs: TfAttrs = {},
  ) {}

  string(name: string, fallback?: string): string {
    const raw = this.attrs[name]?.s;
    return required(raw === undefined ? undefined : decodeBase64(raw), this.node, name, fallback);
  }

  strings(name: string, fallback?: readonly string[]): readonly string[] {
    const attr = this.attrs[name];
    // An empty list is written as `{ list: {} }`: present, with no field.
    const raw = attr ? (attr.list?.s ?? []).map(decodeBase64) : undefined;
    return required(raw, this.node, name, fallback);
  }

  int(name: string, fallback?: number): number {
    const raw = this.attrs[name];
    return required(raw ? Number(raw.i ?? 0) : undefined, this.node, name, fallback);
  }

  ints(name: string, fallback?: readonly number[]): readonly number[] {
    const attr = this.attrs[name];
    return required(attr ? (attr.list?.i ?? []).map(Number) : undefined, this.node, name, fallback);
  }

  float(name: string, fallback?: number): number {
    const raw = this.attrs[name];
    return required(raw ? (raw.f ?? 0) : undefined, this.node, name, fallback);
  }

  bool(name: string, fallback?: boolean): boolean {
    const raw = this.attrs[name];
    return required(raw ? (raw.b ?? false) : undefined, this.node, name, fallback);
  }

  type(name: string, fallback?: string): string {
    return required(this.attrs[name]?.type, this.node, name, fallback);
  }

  /** A shape attribute's dimensions; -1 stands for a size unknown until run time. */
  shape(name: string): readonly number[] | undefined {
    const shape = this.attrs[name]?.shape;
    if (!shape || shape.unknownRank) return undefined;
    return (shape.dim ?? []).map((d) => Number(d.size ?? -1));
  }
}
