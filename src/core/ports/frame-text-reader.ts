import type { TextBox } from '../clip-text.js';

/** A line of text read off a frame, with the reader's confidence (0..1) and where it was. */
export interface TextLine {
  readonly text: string;
  readonly confidence: number;
  readonly box: TextBox;
}

/** Reads the lines of text a frame shows (OCR): what the slide channel is made of. */
export interface FrameTextReader {
  /** Lines in reading order; the frame is packed RGB24. */
  read(frame: { readonly rgb: Uint8Array; readonly width: number; readonly height: number }): Promise<TextLine[]>;
  dispose(): Promise<void>;
}
