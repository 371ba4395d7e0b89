import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  AutoProcessor,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  env,
  RawImage,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_MODELS } from '../models/builtin/index.js';
import { PALETTE_COLOURS, PALETTE_DIM, paletteIndex } from '../models/builtin/palette-space.js';
import { GraphBuilder } from '../models/onnx-graph.js';

const SIZE = 224;
const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];

type Rgb = readonly [number, number, number];

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vidmem-builtin-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

async function sha256OfFiles(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const file of await filesUnder(dir)) {
    hashes[file] = createHash('sha256').update(await readFile(join(dir, file))).digest('hex');
  }
  return hashes;
}

/** A 224×224 frame, normalized as the preprocessor would, painted by `paint(x, y)` in [0, 1]. */
function frame(paint: (x: number, y: number) => Rgb): Float32Array {
  const pixels = new Float32Array(3 * SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const rgb = paint(x, y);
      for (let c = 0; c < 3; c++) pixels[c * SIZE * SIZE + y * SIZE + x] = (rgb[c]! - MEAN[c]!) / STD[c]!;
    }
  }
  return pixels;
}

const RED: Rgb = [1, 0, 0];
const GREEN: Rgb = [0, 1, 0];
const BLUE: Rgb = [0, 0, 1];
const WHITE: Rgb = [1, 1, 1];
const BLACK: Rgb = [0, 0, 0];
const solid = (rgb: Rgb) => frame(() => rgb);
const leftRight = (left: Rgb, right: Rgb) => frame((x) => (x < SIZE / 2 ? left : right));
const topBottom = (top: Rgb, bottom: Rgb) => frame((_, y) => (y < SIZE / 2 ? top : bottom));

function normalized(vector: Float32Array): Float32Array {
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

function rows(data: Float32Array, width: number): Float32Array[] {
  return Array.from({ length: data.length / width }, (_, i) => normalized(data.slice(i * width, (i + 1) * width)));
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

describe('builtin model registry', () => {
  it('offers palette and vit-b32-shape under their own names', () => {
    expect(Object.keys(BUILTIN_MODELS)).toEqual(['palette', 'vit-b32-shape']);
    for (const [key, model] of Object.entries(BUILTIN_MODELS)) {
      expect(model.name).toBe(key);
      expect(model.description.length).toBeGreaterThan(20);
    }
  });
});

describe('onnx graph builder', () => {
  it('refuses a node that reads a tensor nothing defines, and a name used twice', () => {
    const g = new GraphBuilder({ name: 'broken' });
    const x = g.input('x', 'float32', [1]);
    expect(() => g.node('Relu', ['y'])).toThrow(/reads y/);
    expect(() => g.float32(x, [1], [0])).toThrow(/taken/);
    expect(() => g.output('z', 'float32', [1])).toThrow(/produced by no node/);
  });

  it('writes a model onnxruntime runs', async () => {
    const g = new GraphBuilder({ name: 'affine' });
    const x = g.input('x', 'float32', ['batch', 2]);
    g.node('Add', [g.node('Mul', [x, g.float32('scale', [2], [2, 3])]), g.float32('shift', [], [1])], {}, 'y');
    g.output('y', 'float32', ['batch', 2]);
    const session = await ort.InferenceSession.create(g.toBytes());
    const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 1, 2, 2), [2, 2]) });
    expect(Array.from(y!.data as Float32Array)).toEqual([3, 4, 5, 7]);
    await session.release();
  });
});

describe('palette', () => {
  let dir: string;
  let tokenizer: PreTrainedTokenizer;
  let vision: ort.InferenceSession;
  let text: ort.InferenceSession;

  beforeAll(async () => {
    dir = join(root, 'palette');
    await BUILTIN_MODELS.palette!.generate(dir);
    env.allowRemoteModels = false;
    env.localModelPath = root;
    tokenizer = await AutoTokenizer.from_pretrained('palette');
    vision = await ort.InferenceSession.create(join(dir, 'onnx', 'vision_model.onnx'));
    text = await ort.InferenceSession.create(join(dir, 'onnx', 'text_model.onnx'));
  });

  afterAll(async () => {
    await vision.release();
    await text.release();
  });

  async function imageEmbeds(frames: Float32Array[]): Promise<Float32Array[]> {
    const pixels = new Float32Array(frames.length * frames[0]!.length);
    frames.forEach((f, i) => pixels.set(f, i * f.length));
    const { image_embeds } = await vision.run({
      pixel_values: new ort.Tensor('float32', pixels, [frames.length, 3, SIZE, SIZE]),
    });
    expect(image_embeds!.dims).toEqual([frames.length, PALETTE_DIM]);
    return rows(image_embeds!.data as Float32Array, PALETTE_DIM);
  }

  async function textEmbeds(texts: string[]): Promise<Float32Array[]> {
    const encoded = tokenizer(texts, { padding: true, truncation: true });
    const tensor = (name: 'input_ids' | 'attention_mask') =>
      new ort.Tensor('int64', encoded[name].data as BigInt64Array, encoded[name].dims);
    const { text_embeds } = await text.run({ input_ids: tensor('input_ids'), attention_mask: tensor('attention_mask') });
    expect(text_embeds!.dims).toEqual([texts.length, PALETTE_DIM]);
    return rows(text_embeds!.data as Float32Array, PALETTE_DIM);
  }

  async function scores(query: string, frames: Float32Array[]): Promise<number[]> {
    const [q] = await textEmbeds([query]);
    return (await imageEmbeds(frames)).map((image) => dot(q!, image));
  }

  it('writes the Hugging Face CLIP ONNX layout', async () => {
    expect(await filesUnder(dir)).toEqual([
      'config.json',
      join('onnx', 'text_model.onnx'),
      join('onnx', 'vision_model.onnx'),
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'clip', projection_dim: 48 });
    expect(config.vidmem.colours).toEqual(['red', 'green', 'blue', 'yellow', 'cyan', 'magenta', 'white', 'black']);
    expect(config.vidmem.regions).toEqual(['whole', 'left', 'right', 'top', 'bottom', 'center']);
  });

  it('is reproducible byte for byte', async () => {
    const again = join(root, 'palette-again');
    await BUILTIN_MODELS.palette!.generate(again);
    expect(await sha256OfFiles(again)).toEqual(await sha256OfFiles(dir));
  });

  it('tokenizes with transformers.js and with @huggingface/tokenizers alike', async () => {
    const [json, config] = await Promise.all(
      ['tokenizer.json', 'tokenizer_config.json'].map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))),
    );
    const plain = new Tokenizer(json, config);
    const sentence = 'When is there RED on the left? Centré, purple!';
    expect(plain.tokenize(sentence)).toEqual(
      ['[UNK]', '[UNK]', '[UNK]', 'red', '[UNK]', '[UNK]', 'left', '[UNK]', 'centre', '[UNK]', 'purple', '[UNK]'],
    );
    expect(Array.from(tokenizer(sentence).input_ids.data as BigInt64Array, Number)).toEqual(plain.encode(sentence).ids);
  });

  it('pads a batch with [PAD] and masks it', () => {
    const { input_ids, attention_mask } = tokenizer(['red', 'blue on the left'], { padding: true, truncation: true });
    expect(input_ids.dims).toEqual([2, 4]);
    expect(Array.from(input_ids.data as BigInt64Array, Number).slice(1, 4)).toEqual([0, 0, 0]);
    expect(Array.from(attention_mask.data as BigInt64Array, Number)).toEqual([1, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('gives a pure colour full membership everywhere and grey none', async () => {
    const [red, grey] = await imageEmbeds([solid(RED), solid([0.5, 0.5, 0.5])]);
    const expected = new Float32Array(PALETTE_DIM);
    for (let region = 0; region < 6; region++) expected[region] = 1 / Math.sqrt(6);
    red!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(Array.from(grey!)).toEqual(new Array(PALETTE_DIM).fill(0));
  });

  it('finds the colour a query names', async () => {
    const frames = PALETTE_COLOURS.map((colour) => solid(colour.rgb));
    for (const [c, colour] of PALETTE_COLOURS.entries()) {
      const s = await scores(colour.name, frames);
      const expected = PALETTE_COLOURS.map((_, other) => (other === c ? 1 / Math.sqrt(6) : 0));
      s.forEach((score, other) => expect(score).toBeCloseTo(expected[other]!, 5));
    }
    const [purple, aqua] = await Promise.all([scores('purple', frames), scores('Aqua', frames)]);
    expect(purple.indexOf(Math.max(...purple))).toBe(5);
    expect(aqua.indexOf(Math.max(...aqua))).toBe(4);
  });

  it('ranks an all-red frame first for "red"', async () => {
    const [red, blue, green] = await scores('red', [solid(RED), solid(BLUE), solid(GREEN)]);
    expect(red).toBeGreaterThan(blue!);
    expect(red).toBeGreaterThan(green!);
  });

  it('puts red on the left above all red and red on the right', async () => {
    for (const query of ['red on the left', 'When is there red on the left?']) {
      const [leftRed, allRed, rightRed] = await scores(query, [
        leftRight(RED, BLUE),
        solid(RED),
        leftRight(BLUE, RED),
      ]);
      expect(leftRed).toBeCloseTo(0.5, 5);
      expect(leftRed).toBeGreaterThan(allRed!);
      expect(allRed).toBeGreaterThan(rightRed!);
    }
  });

  it('puts white at the top above all white', async () => {
    const [topWhite, allWhite, bottomWhite] = await scores('white at the top', [
      topBottom(WHITE, BLACK),
      solid(WHITE),
      topBottom(BLACK, WHITE),
    ]);
    expect(topWhite).toBeGreaterThan(allWhite!);
    expect(allWhite).toBeGreaterThan(bottomWhite!);
  });

  it('gives a zero vector to a sentence with no colour word', async () => {
    const embeds = await textEmbeds(['a grey dog in the park', 'left', 'red']);
    expect(Array.from(embeds[0]!)).toEqual(new Array(PALETTE_DIM).fill(0));
    expect(Array.from(embeds[1]!)).toEqual(new Array(PALETTE_DIM).fill(0));
    expect(embeds[2]![paletteIndex('red', 'whole')]).toBe(1);
  });

  it('loads through transformers.js as a CLIP model', async () => {
    const processor = await AutoProcessor.from_pretrained('palette');
    const imageModel = await CLIPVisionModelWithProjection.from_pretrained('palette', { dtype: 'fp32' });
    const textModel = await CLIPTextModelWithProjection.from_pretrained('palette', { dtype: 'fp32' });
    // 320×240, left half red and right half blue: resized, not cropped, to 224×224.
    const rgb = new Uint8ClampedArray(320 * 240 * 3);
    for (let i = 0; i < 320 * 240; i++) rgb[i * 3 + (i % 320 < 160 ? 0 : 2)] = 255;
    const { image_embeds } = await imageModel(await processor(new RawImage(rgb, 320, 240, 3)));
    const { text_embeds } = await textModel(tokenizer(['red on the left', 'blue on the left'], { padding: true }));
    const [image] = rows(image_embeds.data as Float32Array, PALETTE_DIM);
    const [redLeft, blueLeft] = rows(text_embeds.data as Float32Array, PALETTE_DIM);
    expect(dot(redLeft!, image!)).toBeCloseTo(0.5, 3);
    expect(dot(blueLeft!, image!)).toBeCloseTo(0, 5);
    await imageModel.dispose();
    await textModel.dispose();
  });
});

describe('vit-b32-shape', () => {
  let dir: string;

  beforeAll(async () => {
    dir = join(root, 'vit-b32-shape');
    await BUILTIN_MODELS['vit-b32-shape']!.generate(dir);
  });

  /** Deterministic pixels in the range a normalized image has. */
  function randomPixels(batch: number, seed: number): ort.Tensor {
    const data = new Float32Array(batch * 3 * SIZE * SIZE);
    let state = seed;
    for (let i = 0; i < data.length; i++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      data[i] = (state / 2 ** 31) * 4 - 2;
    }
    return new ort.Tensor('float32', data, [batch, 3, SIZE, SIZE]);
  }

  async function run(file: string, pixels: ort.Tensor): Promise<ort.Tensor> {
    const session = await ort.InferenceSession.create(join(dir, 'onnx', file));
    try {
      expect(session.inputNames).toEqual(['pixel_values']);
      return (await session.run({ pixel_values: pixels })).image_embeds!;
    } finally {
      await session.release();
    }
  }

  it('writes a CLIP ViT-B/32 config and the real CLIP preprocessor', async () => {
    expect(await filesUnder(dir)).toEqual([
      'config.json',
      join('onnx', 'vision_model.onnx'),
      join('onnx', 'vision_model_quantized.onnx'),
      'preprocessor_config.json',
    ]);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'clip',
      projection_dim: 512,
      vision_config: { hidden_size: 768, patch_size: 32, num_hidden_layers: 12, num_attention_heads: 12 },
      vidmem: { benchmarkOnly: true },
    });
    const preprocessor = JSON.parse(await readFile(join(dir, 'preprocessor_config.json'), 'utf8'));
    expect(preprocessor).toMatchObject({ size: { shortest_edge: 224 }, do_center_crop: true });
  });

  it('runs at batch 1 with finite 512-wide embeddings', async () => {
    const embeds = await run('vision_model.onnx', randomPixels(1, 1));
    expect(embeds.dims).toEqual([1, 512]);
    expect((embeds.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('has a q8 twin in the transformers.js scheme that tracks the float model', async () => {
    const model = onnxProto.onnx.ModelProto.decode(
      await readFile(join(dir, 'onnx', 'vision_model_quantized.onnx')),
    );
    const ops = (type: string) => (model.graph?.node ?? []).filter((node) => node.opType === type).length;
    // Per layer: q, k, v, out, fc1, fc2; plus the projection. q, k and v share one quantized input.
    expect(ops('MatMulInteger')).toBe(12 * 6 + 1);
    expect(ops('DynamicQuantizeLinear')).toBe(12 * 4 + 1);
    expect(ops('Conv')).toBe(1);

    // Random weights make every embedding alike, so compare what tells two inputs apart.
    const pixels = randomPixels(2, 7);
    const [float32, q8] = await Promise.all([run('vision_model.onnx', pixels), run('vision_model_quantized.onnx', pixels)]);
    const difference = (t: ort.Tensor) => {
      const d = t.data as Float32Array;
      return d.slice(0, 512).map((v, i) => v - d[512 + i]!);
    };
    expect(dot(normalized(difference(float32)), normalized(difference(q8)))).toBeGreaterThan(0.9);
  });
});
