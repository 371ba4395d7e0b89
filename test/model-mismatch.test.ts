/**
 * A store holds vectors of one model at one precision. Another model, or the same model with
 * other weights, is refused with the store's own message; the store's model (and its precision)
 * is what later commands use when no --model is given.
 */
import { copyFileSync, cpSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, int, ints } from '../models/onnx-graph.js';
import { resolveModel } from '../models/resolve-model.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem, type CliResult } from './helpers/cli.js';
import { modelSources } from './helpers/models.js';

const WIDE_DIM = 64;

let dir: string;
let red: string;
let blue: string;
let paletteStore: string;
let wide: string;

/** Image: mean colour → a fixed 3×dim projection. Text: mean token id → 1×dim. Enough to load and run. */
function visionGraph(dim: number, weight: (i: number) => number): Uint8Array {
  const g = new GraphBuilder({ name: 'wide-vision' });
  const pixels = g.input('pixel_values', 'float32', ['batch', 3, 224, 224]);
  const mean = g.node('ReduceMean', [pixels], { axes: ints(2, 3), keepdims: int(0) });
  const w = g.float32('projection', [3, dim], Float32Array.from({ length: 3 * dim }, (_, i) => weight(i)));
  g.output(g.node('MatMul', [mean, w], {}, 'image_embeds'), 'float32', ['batch', dim]);
  return g.toBytes();
}

function textGraph(dim: number): Uint8Array {
  const g = new GraphBuilder({ name: 'wide-text' });
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const floats = g.node('Cast', [ids], { to: int(1) });
  const mean = g.node('ReduceMean', [floats], { axes: ints(1), keepdims: int(1) });
  const w = g.float32('projection', [1, dim], Float32Array.from({ length: dim }, (_, i) => 1 + i));
  g.output(g.node('MatMul', [mean, w], {}, 'text_embeds'), 'float32', ['batch', dim]);
  return g.toBytes();
}

/** A CLIP-layout folder like palette's (same tokenizer and processor) but 64 wide, fp32 and q8. */
async function writeWideModel(folder: string, weight: (i: number) => number): Promise<void> {
  const palette = await resolveModel('palette', modelSources());
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  for (const file of ['preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    copyFileSync(join(palette.folder, file), join(folder, file));
  }
  writeFileSync(join(folder, 'config.json'), JSON.stringify({ model_type: 'clip', projection_dim: WIDE_DIM }));
  writeFileSync(join(folder, 'onnx', 'vision_model.onnx'), visionGraph(WIDE_DIM, weight));
  writeFileSync(join(folder, 'onnx', 'text_model.onnx'), textGraph(WIDE_DIM));
  // Not a real quantization; other bytes are all a precision variant needs to be told apart.
  writeFileSync(join(folder, 'onnx', 'vision_model_quantized.onnx'), visionGraph(WIDE_DIM, (i) => Math.round(8 * weight(i)) / 8));
  writeFileSync(join(folder, 'onnx', 'text_model_quantized.onnx'), textGraph(WIDE_DIM));
}

function refusal(result: CliResult): string {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0]!;
}

beforeAll(async () => {
  dir = tempDir('vidmem-mismatch-');
  red = join(dir, 'red.mp4');
  blue = join(dir, 'blue.mp4');
  await renderSegments(red, [{ seconds: 2, layout: { full: 'red' } }, { seconds: 2, layout: { left: 'blue', right: 'yellow' } }]);
  await renderSegments(blue, [{ seconds: 2, layout: { full: 'blue' } }, { seconds: 2, layout: { full: 'green' } }]);
  wide = join(dir, 'wide');
  await writeWideModel(wide, (i) => Math.sin(i + 1));
  paletteStore = join(dir, 'palette-store');
  expect((await vidmem(['ingest', red, '--store', paletteStore, '--model', 'palette'])).code).toBe(0);
});

describe('a store and a model of another width', () => {
  const message = () =>
    `vidmem: store ${paletteStore} holds vectors from model 'palette' (48-d); refusing model '${wide}' (${WIDE_DIM}-d). Use --model palette, or another --store.`;

  it('refuses to ingest with it', async () => {
    expect(refusal(await vidmem(['ingest', blue, '--store', paletteStore, '--model', wide]))).toBe(message());
  });

  it('refuses to search with it', async () => {
    expect(refusal(await vidmem(['search', 'red', '--store', paletteStore, '--model', wide]))).toBe(message());
  });

  it('keeps the store usable with its own model, chosen without --model', async () => {
    const search = await vidmem(['search', 'red', '--store', paletteStore, '--json']);
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout).results[0]).toMatchObject({ videoId: 1, start: 0 });
    const videos = JSON.parse((await vidmem(['videos', '--store', paletteStore, '--json'])).stdout).videos;
    expect(videos).toHaveLength(1);
  });

  it('is itself a working model for a store of its own, which refuses palette in turn', async () => {
    const store = join(dir, 'wide-store');
    expect((await vidmem(['ingest', red, '--store', store, '--model', wide])).code).toBe(0);
    expect((await vidmem(['search', 'red', '--store', store])).code).toBe(0);
    expect(refusal(await vidmem(['search', 'red', '--store', store, '--model', 'palette']))).toBe(
      `vidmem: store ${store} holds vectors from model '${wide}' (${WIDE_DIM}-d); refusing model 'palette' (48-d). Use --model ${wide}, or another --store.`,
    );
  });
});

describe('a store and its model', () => {
  it('reuses the precision the store was built with', async () => {
    const store = join(dir, 'q8-store');
    expect((await vidmem(['ingest', red, '--store', store, '--model', wide, '--dtype', 'q8'])).code).toBe(0);
    // No --model and no --dtype: the store's fingerprint picks the q8 graph again.
    expect((await vidmem(['search', 'red', '--store', store])).code).toBe(0);
    expect((await vidmem(['ingest', blue, '--store', store])).code).toBe(0);
    // Asking for another precision is asking for other weights.
    expect(refusal(await vidmem(['search', 'red', '--store', store, '--dtype', 'fp32']))).toMatch(
      new RegExp(`refusing model '${wide}' \\(${WIDE_DIM}-d\\) with other weights \\(fingerprint [0-9a-f]{12}…, stored [0-9a-f]{12}…\\)`),
    );
  });

  it('refuses the same folder once its weights changed', async () => {
    const folder = join(dir, 'changing');
    await writeWideModel(folder, (i) => Math.sin(i + 1));
    const store = join(dir, 'changing-store');
    expect((await vidmem(['ingest', red, '--store', store, '--model', folder])).code).toBe(0);
    writeFileSync(join(folder, 'onnx', 'vision_model.onnx'), visionGraph(WIDE_DIM, (i) => Math.cos(i)));

    const otherWeights = new RegExp(`^vidmem: store ${store} holds vectors from model '${folder}' \\(${WIDE_DIM}-d\\); refusing model '${folder}' \\(${WIDE_DIM}-d\\) with other weights`);
    expect(refusal(await vidmem(['ingest', blue, '--store', store]))).toMatch(otherWeights);
    expect(refusal(await vidmem(['search', 'red', '--store', store]))).toMatch(otherWeights);
  });
});

describe('a model is what it is, not where it is', () => {
  it('takes a byte-identical copy of the store\'s model for it', async () => {
    const copy = join(dir, 'palette-copy');
    cpSync((await resolveModel('palette', modelSources())).folder, copy, { recursive: true });
    const search = await vidmem(['search', 'red', '--store', paletteStore, '--model', copy, '--json']);
    expect(search.code, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout).results[0]).toMatchObject({ videoId: 1, start: 0 });
  });

  it('follows a model folder that moved, once it is told where', async () => {
    const before = join(dir, 'wide-before');
    const after = join(dir, 'wide-after');
    await writeWideModel(before, (i) => Math.sin(i + 2));
    const store = join(dir, 'moving-store');
    expect((await vidmem(['ingest', red, '--store', store, '--model', before])).code).toBe(0);
    renameSync(before, after);

    // Without --model the store names the folder it no longer finds, and what to do.
    expect(refusal(await vidmem(['search', 'red', '--store', store]))).toMatch(
      new RegExp(`^vidmem: store ${store} was built with the model in ${before} \\(${WIDE_DIM}-d, fingerprint [0-9a-f]{12}…\\), which is not there any more; give --model the folder`),
    );
    // Reading with the new place works; a writing command records it, so later ones need no --model.
    expect((await vidmem(['search', 'red', '--store', store, '--model', after])).code).toBe(0);
    expect((await vidmem(['ingest', blue, '--store', store, '--model', after])).code).toBe(0);
    const search = await vidmem(['search', 'blue', '--store', store, '--json']);
    expect(search.code, search.stderr).toBe(0);
    expect(JSON.parse((await vidmem(['videos', '--store', store, '--json'])).stdout).videos).toHaveLength(2);
  });
});
