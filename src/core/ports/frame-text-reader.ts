import type { TextBox } from '../clip-text.js';

/** Reads the lines of text a frame shows (OCR): what the slide channel is made of. */
export interface FrameTextReader {
  /** Lines in reading order; the frame is packed RGB24. */
  read(frame: { readonly rgb: Uint8Array; readonly width: number; readonly height: number }): Promise<Array<{ text: string; confidence: number; box: TextBox }>>;
  dispose(): Promise<void>;
}
