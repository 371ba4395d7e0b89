/**
 * npm run bench:encoder — images per second through the vision encoder of the ViT-B/32-shaped
 * built-in graph on the CPU: fp32 against its int8 (q8) twin, 1 and 2 intra-op threads, batches of
 * 1, 8 and 16, in one table. Frames go through vidmem's own encoder (normalization included), as
 * they do during ingest. `--seconds N` sets how long each cell is measured (default 3, in three
 * rounds of which the best counts).
 */
import { cpus } from 'node:os';
import { readClipModel } from '../../models/model-folder.js';
import { resolveModel } from '../../models/resolve-model.js';
import type { Dtype } from '../../src/core/config.js';
import { openVisionEncoder } from '../../src/encoders/clip-encoder.js';
import { modelSources } from '../helpers/models.js';
import type { VisionEncoder } from '../../src/core/ports/encoders.js';
import { cosine } from '../../src/core/vector-math.js';

const BATCHES = [1, 8, 16];
const THREADS = [1, 2];
const DTYPES: Dtype[] = ['fp32', 'q8'];
const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 3;

/** Deterministic noise frames: the cost of a ViT does not depend on what the pixels show. */
function frames(count: number, side: number): Uint8Array[] {
  let state = 0x2545f491;
  return Array.from({ length: count }, () =>
    Uint8Array.from({ length: side * side * 3 }, () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 0xff;
    }),
  );
}

/** Best of three timed rounds, so that a burst of other work on the machine does not set the figure. */
async function imagesPerSecond(encoder: VisionEncoder, batch: Uint8Array[]): Promise<number> {
  await encoder.encodeImages(batch); // warm-up: the first run at a shape plans its kernels
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let images = 0;
    const start = performance.now();
    do {
      await encoder.encodeImages(batch);
      images += batch.length;
    } while (performance.now() - start < (seconds * 1000) / 3 || images < 2 * batch.length);
    best = Math.max(best, images / ((performance.now() - start) / 1000));
  }
  return best;
}

const model = await resolveModel('vit-b32-shape', {
  ...modelSources(),
  onGenerate: (_, folder) => process.stderr.write(`generating the vit-b32-shape model (fp32 and q8) in ${folder}…\n`),
});
const input = frames(Math.max(...BATCHES), 224);
const results = new Map<string, number>();
const embeddings = new Map<Dtype, Float32Array[]>();

for (const dtype of DTYPES) {
  for (const threads of THREADS) {
    const spec = await readClipModel(model.folder, { name: model.name, dtype, text: false });
    const encoder = await openVisionEncoder(spec, { threads, device: 'cpu' });
    try {
      if (!embeddings.has(dtype)) embeddings.set(dtype, await encoder.encodeImages(input.slice(0, 8)));
      for (const batch of BATCHES) {
        const rate = await imagesPerSecond(encoder, input.slice(0, batch));
        results.set(`${dtype}/${threads}/${batch}`, rate);
        process.stderr.write(`  ${dtype} threads ${threads} batch ${String(batch).padStart(2)}: ${rate.toFixed(1)} images/s\n`);
      }
    } finally {
      await encoder.dispose();
    }
  }
}

const header = ['batch', ...DTYPES.flatMap((d) => THREADS.map((t) => `${d === 'q8' ? 'int8 (q8)' : d}, ${t} thr`)), ...THREADS.map((t) => `int8 speed-up, ${t} thr`)];
const rows = BATCHES.map((batch) => [
  String(batch),
  ...DTYPES.flatMap((d) => THREADS.map((t) => results.get(`${d}/${t}/${batch}`)!.toFixed(1))),
  ...THREADS.map((t) => `${(results.get(`q8/${t}/${batch}`)! / results.get(`fp32/${t}/${batch}`)!).toFixed(2)}×`),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
// Random weights make the embeddings meaningless, but int8 must still track fp32 on the same frames.
const agreement = embeddings.get('fp32')!.map((v, i) => cosine(v, embeddings.get('q8')![i]!));

process.stdout.write(`\nvit-b32-shape vision encoder, images/s on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'} (onnxruntime-node CPU provider, ${seconds} s per cell)\n`);
process.stdout.write(`${[line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')}\n`);
process.stdout.write(`int8 vs fp32 embedding cosine on 8 frames: mean ${(agreement.reduce((a, b) => a + b, 0) / agreement.length).toFixed(4)}, min ${Math.min(...agreement).toFixed(4)}\n`);
