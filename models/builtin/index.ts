/**
 * The models vidmem generates itself, in the Hugging Face CLIP ONNX folder layout, so that the
 * loader treats them exactly like a downloaded export. A generator is loaded only to generate:
 * naming a built-in model must not load the ONNX graph builder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PALETTE_DIM } from './palette-space.js';

export interface BuiltinModel {
  name: string;
  description: string;
  /** Width of its embeddings, known without generating anything. */
  dim: number;
  /** Writes every file of the model into `dir` (created, with `dir/onnx/`, if missing). */
  generate(dir: string): Promise<void>;
}

export const BUILTIN_MODELS: Record<string, BuiltinModel> = {
  palette: {
    name: 'palette',
    dim: PALETTE_DIM,
    description:
      'Deterministic colour-and-layout encoder (8 colours x 6 regions, 48 dims): ' +
      'queries like "red on the left" find frames where that is true.',
    generate: async (dir) => writeFiles(dir, (await import('./palette.js')).paletteFiles()),
  },
  'vit-b32-shape': {
    name: 'vit-b32-shape',
    dim: 512,
    description:
      'Random weights with the shape and cost of CLIP ViT-B/32\'s image tower (512 dims, ' +
      'fp32 and q8); for benchmarks only, its embeddings mean nothing.',
    generate: async (dir) => writeFiles(dir, (await import('./vit-b32-shape.js')).vitB32ShapeFiles()),
  },
};

/** Files are built lazily, one at a time, so one large file's bytes can go before the next's. */
async function writeFiles(dir: string, files: Iterable<[string, Uint8Array | object]>): Promise<void> {
  for (const [path, content] of files) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content instanceof Uint8Array ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
}
