/**
 * The encoder contract the pipeline depends on. Any CLIP-family dual encoder (built-in or
 * downloaded) is wrapped behind these two interfaces, so the pipeline never knows which model
 * sits behind them.
 */

/** What a store records about the model that made its vectors. */
export interface ModelIdentity {
  /** The name the user gave (`palette`, `Xenova/clip-vit-base-patch32`, a folder). */
  readonly name: string;
  readonly dim: number;
  /** sha256 of the vision graph: two folders with the same name but other weights differ here. */
  readonly fingerprint: string;
}

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
  /** One L2-normalized embedding per text; all-zero when the model knows none of its words. */
  encodeTexts(texts: readonly string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}
