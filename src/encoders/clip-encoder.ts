import type * as Ort from 'onnxruntime-node';
import { ort } from './onnxruntime.js';
import { UserError } from '../core/errors.js';
import type { ModelIdentity } from '../core/model-identity.js';
import type { ClipModelSpec, Preprocessor } from '../core/model-spec.js';
import type { ImageInput, TextEncoder, VisionEncoder } from '../core/ports/encoders.js';
import { normalize } from '../core/vector-math.js';
import { createSession, type SessionSettings } from './devices.js';
import { loadTokenizer, type TextTokenizer } from './tokenizer.js';

type Tower = 'vision' | 'text';

/** The tower's embedding output: CLIP exports name it, SigLIP exports pool into pooler_output. */
const EMBEDDING_OUTPUTS: Record<Tower, readonly string[]> = {
  vision: ['image_embeds', 'pooler_output'],
  text: ['text_embeds', 'pooler_output'],
};

interface OpenTower {
  readonly session: Ort.InferenceSession;
  readonly output: string;
  readonly identity: ModelIdentity;
}

/**
 * Opens one tower and settles what the store will record about it. The fingerprint is always the
 * vision graph's, so that text and image vectors of one model at one precision agree.
 */
async function openTower(model: ClipModelSpec, tower: Tower, graph: string, settings: SessionSettings): Promise<OpenTower> {
  const session = await createSession(graph, settings);
  const output = EMBEDDING_OUTPUTS[tower].find((name) => session.outputNames.includes(name)) ?? session.outputNames[0]!;
  const shape = session.outputMetadata.find((meta) => meta.name === output);
  const graphDim = shape?.isTensor ? shape.shape.at(-1) : undefined;
  const dim = model.dim ?? (typeof graphDim === 'number' ? graphDim : null);
  if (dim === null) {
    await session.release();
    throw new UserError(`model folder ${model.folder}: neither config.json (projection_dim) nor the graph's ${output} says how wide embeddings are`);
  }
  return { session, output, identity: { name: model.name, dim, fingerprint: model.fingerprint } };
}

/**
 * ffmpeg does the resize (and crop) while decoding: far cheaper than resizing full frames in
 * JavaScript, and the encoder then only normalizes.
 */
function scaleFilter(p: Preprocessor): string {
  if (p.shortestEdge === null) return `scale=${p.width}:${p.height}:flags=bicubic`;
  const s = p.shortestEdge;
  return `scale=${s}:${s}:force_original_aspect_ratio=increase:flags=bicubic,crop=${p.width}:${p.height}`;
}

function rowsOf(tensor: Ort.Tensor, dim: number, what: string): Float32Array[] {
  const [count, width] = tensor.dims;
  if (width !== dim) throw new UserError(`${what} has width ${width}, but the model's embeddings are ${dim} wide`);
  const data = tensor.data as Float32Array;
  return Array.from({ length: count }, (_, i) => normalize(data.subarray(i * dim, (i + 1) * dim)));
}

/** Per-channel lookup tables: uint8 → normalized float, so preprocessing is one table read per byte. */
function normalizationTables(p: Preprocessor): Float32Array[] {
  return [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, v) => (v * p.rescale - p.mean[c]) / p.std[c]));
}

class OnnxVisionEncoder implements VisionEncoder {
  readonly identity: ModelIdentity;
  private readonly session: Ort.InferenceSession;
  private readonly tables: Float32Array[];
  /**
   * One pixel buffer reused across calls: a fresh 5 MB array per batch is garbage the collector
   * lets pile up by the hundreds of megabytes on a long video. A call that overlaps another gets
   * its own.
   */
  private pixels = new Float32Array(0);
  private pixelsInUse = false;

  constructor(
    private readonly tower: OpenTower,
    readonly input: ImageInput,
    preprocessor: Preprocessor,
  ) {
    this.identity = tower.identity;
    this.session = tower.session;
    this.tables = normalizationTables(preprocessor);
  }

  async encodeImages(frames: readonly Uint8Array[]): Promise<Float32Array[]> {
    const { width, height } = this.input;
    const plane = width * height;
    const size = frames.length * 3 * plane;
    const shared = !this.pixelsInUse;
    let pixels: Float32Array;
    if (shared) {
      if (this.pixels.length < size) this.pixels = new Float32Array(size);
      pixels = this.pixels.subarray(0, size);
      this.pixelsInUse = true;
    } else {
      pixels = new Float32Array(size);
    }
    const [r, g, b] = this.tables as [Float32Array, Float32Array, Float32Array];
    frames.forEach((rgb, n) => {
      const base = n * 3 * plane;
      for (let i = 0, p = 0; i < plane; i++, p += 3) {
        pixels[base + i] = r[rgb[p]];
        pixels[base + plane + i] = g[rgb[p + 1]];
        pixels[base + 2 * plane + i] = b[rgb[p + 2]];
      }
    });
    const feeds = { [this.session.inputNames[0]]: new ort.Tensor('float32', pixels, [frames.length, 3, height, width]) };
    try {
      const output = await this.session.run(feeds);
      const rows = rowsOf(output[this.tower.output]!, this.identity.dim, this.tower.output);
      for (const tensor of Object.values(output)) tensor.dispose();
      return rows;
    } finally {
      if (shared) this.pixelsInUse = false;
    }
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}

export async function openVisionEncoder(model: ClipModelSpec, settings: SessionSettings = {}): Promise<VisionEncoder> {
  const p = model.preprocessor;
  const input: ImageInput = { width: p.width, height: p.height, scaleFilter: scaleFilter(p) };
  return new OnnxVisionEncoder(await openTower(model, 'vision', model.visionGraph, settings), input, p);
}

class OnnxTextEncoder implements TextEncoder {
  readonly identity: ModelIdentity;
  readonly maxTokens: number;
  private readonly session: Ort.InferenceSession;

  constructor(
    private readonly tower: OpenTower,
    private readonly tokenizer: TextTokenizer,
  ) {
    this.identity = tower.identity;
    this.session = tower.session;
    this.maxTokens = tokenizer.maxLength;
  }

  countTokens(text: string): number {
    return this.tokenizer.count(text);
  }

  async encodeTexts(texts: readonly string[]): Promise<Float32Array[]> {
    const encoded = this.tokenizer.tokenize(texts);
    const feeds: Record<string, Ort.Tensor> = {};
    for (const name of this.session.inputNames) {
      const source = encoded[name];
      if (!source) throw new UserError(`text model wants input '${name}', which the tokenizer does not produce`);
      feeds[name] = new ort.Tensor('int64', BigInt64Array.from(source.data), source.dims);
    }
    const output = await this.session.run(feeds);
    return rowsOf(output[this.tower.output]!, this.identity.dim, this.tower.output);
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}

export async function openTextEncoder(model: ClipModelSpec, settings: SessionSettings = {}): Promise<TextEncoder> {
  if (!model.textGraph) throw new Error(`model ${model.name} was read without its text graph`);
  const tokenizer = await loadTokenizer(model.folder, model);
  return new OnnxTextEncoder(await openTower(model, 'text', model.textGraph, settings), tokenizer);
}
