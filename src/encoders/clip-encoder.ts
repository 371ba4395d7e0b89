import { basename, dirname } from 'node:path';
import { AutoTokenizer, env as transformersEnv } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { UserError } from '../errors.js';
import { normalize } from '../vector-math.js';
import type { ImageInput, ModelIdentity, TextEncoder, VisionEncoder } from './encoder.js';
import { onnxFile, readModelFolder, scaleFilter, sha256File, type Dtype, type ModelFolder, type Preprocessor } from './model-folder.js';

export interface EncoderOptions {
  /** The name recorded in the store (what the user typed, or the built-in name). */
  readonly name: string;
  readonly dtype?: Dtype;
  readonly executionProviders?: readonly string[];
  /** Intra-op threads; 0 lets onnxruntime choose. */
  readonly threads?: number;
}

async function createSession(path: string, options: EncoderOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, {
      executionProviders: [...(options.executionProviders ?? ['cpu'])],
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    });
  } catch (err) {
    throw new UserError(`cannot load ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
}

async function identityOf(model: ModelFolder, options: EncoderOptions): Promise<ModelIdentity> {
  const fingerprint = await sha256File(onnxFile(model.folder, 'vision', options.dtype));
  return { name: options.name, dim: model.dim, fingerprint };
}

function rowsOf(tensor: ort.Tensor, dim: number, what: string): Float32Array[] {
  const [count, width] = tensor.dims;
  if (width !== dim) throw new UserError(`${what} has width ${width}, but config.json says projection_dim ${dim}`);
  const data = tensor.data as Float32Array;
  return Array.from({ length: count }, (_, i) => normalize(data.subarray(i * dim, (i + 1) * dim)));
}

/** Per-channel lookup tables: uint8 → normalized float, so preprocessing is one table read per byte. */
function normalizationTables(p: Preprocessor): Float32Array[] {
  return [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, v) => (v * p.rescale - p.mean[c]) / p.std[c]));
}

class OnnxVisionEncoder implements VisionEncoder {
  private readonly tables: Float32Array[];

  constructor(
    readonly identity: ModelIdentity,
    readonly input: ImageInput,
    private readonly session: ort.InferenceSession,
    preprocessor: Preprocessor,
  ) {
    this.tables = normalizationTables(preprocessor);
  }

  async encodeImages(frames: readonly Uint8Array[]): Promise<Float32Array[]> {
    const { width, height } = this.input;
    const plane = width * height;
    const pixels = new Float32Array(frames.length * 3 * plane);
    const [r, g, b] = this.tables;
    frames.forEach((rgb, n) => {
      const base = n * 3 * plane;
      for (let i = 0, p = 0; i < plane; i++, p += 3) {
        pixels[base + i] = r[rgb[p]];
        pixels[base + plane + i] = g[rgb[p + 1]];
        pixels[base + 2 * plane + i] = b[rgb[p + 2]];
      }
    });
    const feeds = { [this.session.inputNames[0]]: new ort.Tensor('float32', pixels, [frames.length, 3, height, width]) };
    const output = await this.session.run(feeds);
    const embeds = output.image_embeds ?? output[this.session.outputNames[0]];
    return rowsOf(embeds, this.identity.dim, 'image_embeds');
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}

export async function openVisionEncoder(folder: string, options: EncoderOptions): Promise<VisionEncoder> {
  const model = await readModelFolder(folder);
  const session = await createSession(onnxFile(folder, 'vision', options.dtype), options);
  const p = model.preprocessor;
  const input: ImageInput = { width: p.width, height: p.height, scaleFilter: scaleFilter(p) };
  return new OnnxVisionEncoder(await identityOf(model, options), input, session, p);
}

type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;

class OnnxTextEncoder implements TextEncoder {
  constructor(
    readonly identity: ModelIdentity,
    private readonly tokenizer: Tokenizer,
    private readonly session: ort.InferenceSession,
  ) {}

  async encodeTexts(texts: readonly string[]): Promise<Float32Array[]> {
    const encoded = this.tokenizer([...texts], { padding: true, truncation: true }) as unknown as Record<
      string,
      { data: BigInt64Array; dims: number[] }
    >;
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.session.inputNames) {
      const source = encoded[name];
      if (!source) throw new UserError(`text model wants input '${name}', which the tokenizer does not produce`);
      feeds[name] = new ort.Tensor('int64', BigInt64Array.from(source.data), source.dims);
    }
    const output = await this.session.run(feeds);
    const embeds = output.text_embeds ?? output[this.session.outputNames[0]];
    return rowsOf(embeds, this.identity.dim, 'text_embeds');
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}

/** Tokenizer files are read by transformers.js, from the folder only (never the hub). */
async function loadTokenizer(folder: string): Promise<Tokenizer> {
  transformersEnv.allowRemoteModels = false;
  transformersEnv.allowLocalModels = true;
  transformersEnv.localModelPath = `${dirname(folder)}/`;
  try {
    return await AutoTokenizer.from_pretrained(basename(folder));
  } catch (err) {
    throw new UserError(`model folder ${folder}: cannot load its tokenizer (${(err as Error).message.split('\n')[0]})`);
  }
}

export async function openTextEncoder(folder: string, options: EncoderOptions): Promise<TextEncoder> {
  const model = await readModelFolder(folder);
  if (model.benchmarkOnly) throw new UserError(`model ${options.name} is an image-only benchmark graph and cannot encode text`);
  const session = await createSession(onnxFile(folder, 'text', options.dtype), options);
  return new OnnxTextEncoder(await identityOf(model, options), await loadTokenizer(folder), session);
}
