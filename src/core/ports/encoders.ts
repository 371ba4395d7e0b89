/**
 * The encoder contract the pipelines depend on. Any CLIP-family dual encoder (built-in or
 * downloaded) is wrapped behind these two interfaces, so no flow knows which model sits behind them.
 */
import type { ModelIdentity } from '../model-identity.js';

/** How frames must be sampled for this encoder: size and the ffmpeg filter that produces it. */
export interface ImageInput {
  readonly width: number;
  readonly height: number;
  /** ffmpeg -vf fragment turning any frame into exactly width×height (resize, maybe crop). */
  readonly scaleFilter: string;
}

export interface VisionEncoder {
  readonly identity: ModelIdentity;
  readonly input: ImageInput;
  /** Packed RGB24 frames of input.width × input.height → one L2-normalized embedding each. */
  encodeImages(frames: readonly Uint8Array[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export interface TextEncoder {
  readonly identity: ModelIdentity;
  /** The most tokens one text may have, the model's special tokens included (CLIP: 77); Infinity when unbounded. */
  readonly maxTokens: number;
  /** Tokens a text takes, special tokens included; a text of more than `maxTokens` is cut when encoded. */
  countTokens(text: string): number;
  /** One L2-normalized embedding per text; all-zero when the model knows none of its words. */
  encodeTexts(texts: readonly string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}
