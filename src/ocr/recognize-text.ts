/**
 * The input geometry and the output decoding of PaddleOCR's CTC text recognizer (PP-OCRv4 rec),
 * after PaddleOCR's `TextRecognizer` and `CTCLabelDecode`.
 */
import type { Normalization, PixelRect } from './image-tensor.js';

/** The recognizer reads lines scaled to this height. */
export const LINE_HEIGHT = 48;

/** Bytes to [-1, 1], for the recognizer and the direction classifier alike. */
export const LINE_NORMALIZATION: Normalization = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

export interface Reading {
  readonly text: string;
  /** Mean of the winning probabilities of the characters read; 0 when nothing was read. */
  readonly confidence: number;
}

/**
 * The recognizer's classes: index 0 is the CTC blank, then one character per line of the
 * dictionary file, then the space that PaddleOCR appends when `use_space_char` is on (as it is
 * for this model: 6623 characters + 2 = its 6625 outputs).
 */
export function parseDictionary(text: string): string[] {
  const characters = text.split('\n').map((line) => line.replace(/\r$/, ''));
  if (characters.at(-1) === '') characters.pop();
  return ['', ...characters, ' '];
}

/**
 * PaddleOCR pads lines to at least 320 × 48, the shape the recognizer was trained on. Wider lines
 * keep their width: the recognizer is a CTC model over columns, so the sequence simply grows.
 */
const MIN_WIDTH = 320;

/**
 * The input width for a line at the recognizer's height, keeping its aspect ratio, and the width
 * it is padded to. Lines run one at a time: PaddleOCR batches six of similar width, but on the
 * CPU a batch costs more per line than single runs (2 threads: 1 × 640 px in 21 ms, 4 × 640 px in
 * 104 ms; 1 × 920 px in 34 ms, 3 × 920 px in 117 ms), and lines of one width are rare on a slide.
 */
export function lineGeometry(rect: PixelRect): { width: number; paddedWidth: number } {
  const width = Math.ceil((LINE_HEIGHT * rect.width) / rect.height);
  return { width, paddedWidth: Math.max(MIN_WIDTH, width) };
}

/**
 * Greedy CTC decoding of one line: the most probable class at each time step, repeats collapsed,
 * then blanks dropped (so a blank between two equal characters keeps both).
 * `probabilities` holds time steps × `dictionary.length` softmax outputs.
 */
export function ctcGreedy(probabilities: Float32Array, dictionary: readonly string[]): Reading {
  const classes = dictionary.length;
  const steps = probabilities.length / classes;
  let text = '';
  let sum = 0;
  let count = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestProbability = probabilities[t * classes]!;
    for (let k = 1; k < classes; k++) {
      const p = probabilities[t * classes + k]!;
      if (p > bestProbability) {
        best = k;
        bestProbability = p;
      }
    }
    if (best !== 0 && best !== previous) {
      text += dictionary[best];
      sum += bestProbability;
      count++;
    }
    previous = best;
  }
  return { text, confidence: count ? sum / count : 0 };
}
