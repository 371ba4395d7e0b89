/**
 * The object detector: CenterNet (MobileNetV3, COCO) converted to ONNX by
 * models/detector/tfjs-to-onnx.ts, run on onnxruntime like vidmem's encoders. A frame is
 * stretched to the model's square input (resize-frame.ts says why), the graph returns its 100
 * best peaks as rows of x1, y1, x2, y2 (input pixels), score, class, and those above the score
 * threshold become detections, overlapping ones suppressed.
 */
import * as ort from 'onnxruntime-node';
import type { Detection } from '../core/detections.js';
import type { OpenSession } from '../core/ports/onnx-session.js';
import { COCO_LABELS } from './coco-labels.js';
import { suppressOverlaps } from './non-max-suppression.js';
import { stretchToSquare, type RgbFrame } from './resize-frame.js';

export interface DetectorOptions {
  /** Rows scoring below this are dropped (default 0.3). */
  readonly scoreThreshold?: number;
  /** A box overlapping a better one by more than this IoU is dropped (default 0.4, as in human; 1 keeps all). */
  readonly iouThreshold?: number;
}

export interface Detector {
  detect(frame: RgbFrame): Promise<Detection[]>;
  dispose(): Promise<void>;
}

const DEFAULT_SCORE_THRESHOLD = 0.3;
const DEFAULT_IOU_THRESHOLD = 0.4;
const DETECTIONS_OUTPUT = 'tower_0/detections';
const ROW = 6;

const clamp = (value: number): number => Math.min(1, Math.max(0, value));

/** The graph's rows as detections: boxes from input pixels to clamped fractions, labels named. */
export function decodeDetections(rows: Float32Array, inputSize: number, options: Pick<DetectorOptions, 'scoreThreshold' | 'iouThreshold'> = {}): Detection[] {
  const scoreThreshold = options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  const detections: Detection[] = [];
  for (let i = 0; i + ROW <= rows.length; i += ROW) {
    const score = rows[i + 4]!;
    if (!(score >= scoreThreshold)) continue;
    const classId = Math.round(rows[i + 5]!);
    const x = clamp(rows[i]! / inputSize);
    const y = clamp(rows[i + 1]! / inputSize);
    // A corner before its opposite (a degenerate peak) is an empty box, never a negative one.
    const box = { x, y, width: Math.max(0, clamp(rows[i + 2]! / inputSize) - x), height: Math.max(0, clamp(rows[i + 3]! / inputSize) - y) };
    detections.push({ label: COCO_LABELS[classId] ?? `class ${classId}`, classId, score, box });
  }
  return suppressOverlaps(detections, options.iouThreshold ?? DEFAULT_IOU_THRESHOLD);
}

export async function openDetector(onnxPath: string, openSession: OpenSession, options: DetectorOptions = {}): Promise<Detector> {
  const session = await openSession(onnxPath);
  const input = session.inputNames[0]!;
  const metadata = session.inputMetadata[0];
  const size = metadata?.isTensor && typeof metadata.shape[1] === 'number' ? metadata.shape[1] : 512;
  return {
    async detect(frame) {
      // A buffer per call: onnxruntime reads it while other calls may already be preparing theirs.
      const pixels = stretchToSquare(frame, size);
      const outputs = await session.run({ [input]: new ort.Tensor('float32', pixels, [1, size, size, 3]) }, [DETECTIONS_OUTPUT]);
      try {
        return decodeDetections(outputs[DETECTIONS_OUTPUT]!.data as Float32Array, size, options);
      } finally {
        for (const tensor of Object.values(outputs)) tensor.dispose();
      }
    },
    dispose: () => session.release(),
  };
}
