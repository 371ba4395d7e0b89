/**
 * PaddleOCR's text direction classifier (ch_ppocr_mobile_v2.0_cls): upright or half a turn.
 * Screen text is nearly always upright, but the model is small enough (0.6 MB; about 1 ms a line)
 * that a frame filmed or exported upside down is read too.
 */
import type { PixelRect } from './image-tensor.js';

/** The classifier's input; longer lines are squeezed to this width. */
export const DIRECTION_WIDTH = 192;
export const DIRECTION_HEIGHT = 48;

/** PaddleOCR's `cls_thresh`: turning an upright line costs more than leaving a turned one. */
const THRESHOLD = 0.9;

export function directionWidth(rect: PixelRect): number {
  return Math.min(DIRECTION_WIDTH, Math.ceil((DIRECTION_HEIGHT * rect.width) / rect.height));
}

/**
 * Whether a frame is upside down, from the classifier's softmax ([upright, upside down] per line).
 * PaddleOCR turns lines one by one, but a screen turns as a whole, and a vote keeps one doubtful
 * line upright: at detection size 480 a cut-off 18 px line was classified upside down (and read
 * as "Sallen uo sauo pue") among three upright ones.
 */
export function isUpsideDown(scores: Float32Array): boolean {
  const lines = scores.length / 2;
  let turned = 0;
  for (let i = 0; i < lines; i++) if (scores[2 * i + 1]! > THRESHOLD) turned++;
  return turned > lines / 2;
}
