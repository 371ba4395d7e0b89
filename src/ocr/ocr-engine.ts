/**
 * OCR of video frames with PaddleOCR v4 on onnxruntime-node: detect text boxes, tell whether the
 * frame is upside down, read each line. The models' own pre- and post-processing lives beside this file, one
 * model step per module; this one owns the sessions and the order of the steps.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { FrameTextReader, TextLine } from '../core/ports/frame-text-reader.js';
import type { OpenSession } from '../core/ports/onnx-session.js';
import { DETECTOR_NORMALIZATION, detectorInputSize, textBoxes, type ProbabilityMap } from './detect-text.js';
import { writeImage, type PixelRect, type RgbFrame, type TensorBatch } from './image-tensor.js';
import { OcrModelError, paddleModelPaths } from './paddle-models.js';
import { readingOrder } from './reading-order.js';
import { ctcGreedy, LINE_HEIGHT, LINE_NORMALIZATION, lineGeometry, parseDictionary, type Reading } from './recognize-text.js';
import { DIRECTION_HEIGHT, DIRECTION_WIDTH, directionWidth, isUpsideDown } from './text-direction.js';

export type { TextLine };

export interface OcrOptions {
  /** Longest side fed to the detector, at most (frames are never enlarged); default 960. */
  detectionSize?: number;
  /** Lines read with less confidence are dropped; default 0.5 (PaddleOCR's `drop_score`). */
  minConfidence?: number;
}

/** Lines come in reading order: top to bottom, then left to right. */
export type OcrEngine = FrameTextReader;

/**
 * PaddleOCR's own default. Smaller is faster (2 cores, 1280×720 slide: 265 ms a frame at 960,
 * 200 ms at 640, 167 ms at 480, recognition being most of it) but loses small type: at 640 a
 * 1920×1080 frame's 20 px lines came out cut or missing, at 480 a 1280×720 frame's 14 px lines
 * were not found at all, while 960 read both.
 */
const DEFAULT_DETECTION_SIZE = 960;
const DEFAULT_MIN_CONFIDENCE = 0.5;

export async function openOcr(openSession: OpenSession, options: OcrOptions = {}): Promise<OcrEngine> {
  const detectionSize = options.detectionSize ?? DEFAULT_DETECTION_SIZE;
  if (!Number.isInteger(detectionSize) || detectionSize < 32) throw new RangeError(`detectionSize must be a whole number of pixels, at least 32 (got ${detectionSize})`);
  const paths = paddleModelPaths();
  const load = async (path: string): Promise<ort.InferenceSession> => {
    try {
      return await openSession(path);
    } catch (err) {
      throw new OcrModelError(`cannot load the OCR model ${path}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
  };
  const [detector, classifier, recognizer] = await Promise.all([load(paths.detection), load(paths.classifier), load(paths.recognition)]);
  const dictionary = parseDictionary(await readFile(paths.dictionary, 'utf8'));
  const classes = recognizer.outputMetadata[0]?.isTensor ? recognizer.outputMetadata[0].shape.at(-1) : undefined;
  if (classes !== dictionary.length) {
    await Promise.all([detector.release(), classifier.release(), recognizer.release()]);
    throw new OcrModelError(`${paths.dictionary} has ${dictionary.length - 2} characters, but ${paths.recognition} reads ${classes} classes`);
  }
  return new PaddleOcr(detector, classifier, recognizer, dictionary, detectionSize, options.minConfidence ?? DEFAULT_MIN_CONFIDENCE);
}

class PaddleOcr implements OcrEngine {
  private disposed = false;

  constructor(
    private readonly detector: ort.InferenceSession,
    private readonly classifier: ort.InferenceSession,
    private readonly recognizer: ort.InferenceSession,
    private readonly dictionary: readonly string[],
    private readonly detectionSize: number,
    private readonly minConfidence: number,
  ) {}

  async read(frame: RgbFrame): Promise<TextLine[]> {
    if (this.disposed) throw new Error('read() after dispose() of the OCR engine');
    const { width, height, rgb } = frame;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || rgb.length !== width * height * 3) {
      throw new RangeError(`an RGB24 frame of ${width}×${height} has ${width * height * 3} bytes, not ${rgb.length}`);
    }
    const rects = textBoxes(await this.detect(frame), width, height);
    if (!rects.length) return [];
    const upsideDown = await this.frameUpsideDown(frame, rects);
    const readings = await this.recognize(frame, rects, upsideDown);
    const lines: TextLine[] = [];
    readings.forEach(({ text, confidence }, i) => {
      const rect = rects[i]!;
      const trimmed = text.trim();
      if (!trimmed || confidence < this.minConfidence) return;
      lines.push({ text: trimmed, confidence, box: { x: rect.x / width, y: rect.y / height, width: rect.width / width, height: rect.height / height } });
    });
    return readingOrder(lines, upsideDown);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.detector.release(), this.classifier.release(), this.recognizer.release()]);
  }

  private async detect(frame: RgbFrame): Promise<ProbabilityMap> {
    const size = detectorInputSize(frame.width, frame.height, this.detectionSize);
    const batch = newBatch(1, size.width, size.height);
    writeImage(frame, { x: 0, y: 0, width: frame.width, height: frame.height }, batch, { index: 0, width: size.width }, DETECTOR_NORMALIZATION);
    const map = await run(this.detector, batch, 1);
    return { data: map.data as Float32Array, width: map.dims[3]!, height: map.dims[2]! };
  }

  private async frameUpsideDown(frame: RgbFrame, rects: readonly PixelRect[]): Promise<boolean> {
    const batch = newBatch(rects.length, DIRECTION_WIDTH, DIRECTION_HEIGHT);
    rects.forEach((rect, index) => writeImage(frame, rect, batch, { index, width: directionWidth(rect) }, LINE_NORMALIZATION));
    const scores = (await run(this.classifier, batch, rects.length)).data as Float32Array;
    return isUpsideDown(scores);
  }

  private async recognize(frame: RgbFrame, rects: readonly PixelRect[], upsideDown: boolean): Promise<Reading[]> {
    const readings: Reading[] = [];
    // PaddleOCR gives crops 1.5 times taller than wide a quarter turn, for vertical CJK text. Screen
    // text here is horizontal, and a box that narrow holds a glyph or two that the turn would
    // make unreadable, so none is turned.
    for (const rect of rects) {
      const { width, paddedWidth } = lineGeometry(rect);
      const batch = newBatch(1, paddedWidth, LINE_HEIGHT);
      writeImage(frame, rect, batch, { index: 0, width, upsideDown }, LINE_NORMALIZATION);
      readings.push(ctcGreedy((await run(this.recognizer, batch, 1)).data as Float32Array, this.dictionary));
    }
    return readings;
  }
}

function newBatch(count: number, width: number, height: number): TensorBatch {
  return { data: new Float32Array(count * 3 * width * height), width, height };
}

/** All three PaddleOCR graphs take one NCHW float input and give one output. */
async function run(session: ort.InferenceSession, batch: TensorBatch, count: number): Promise<ort.Tensor> {
  const input = new ort.Tensor('float32', batch.data, [count, 3, batch.height, batch.width]);
  const outputs = await session.run({ [session.inputNames[0]!]: input });
  return outputs[session.outputNames[0]!]!;
}
