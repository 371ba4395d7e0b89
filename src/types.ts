/** Shapes that flow through the ingest pipeline, from decoded frame to stored clip memory. */

/** One sampled frame, already scaled to the encoder's input size by ffmpeg (packed RGB24). */
export interface Frame {
  /** Position in the sampled sequence, starting at 0 for the first frame read. */
  readonly index: number;
  /** Seconds from the start of the video. */
  readonly time: number;
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** A frame after the static-scene test: `repeat` frames reuse the previous embedding. */
export interface SampledFrame extends Frame {
  readonly repeat: boolean;
}

export interface EncodedFrame {
  readonly index: number;
  readonly time: number;
  readonly embedding: Float32Array;
  /** True when the frame was nearly identical to the last encoded one and skipped the encoder. */
  readonly repeat: boolean;
  /** Pixels of non-repeat frames, kept until the clip's keyframe thumbnail is written. */
  readonly rgb: Uint8Array | null;
  readonly width: number;
  readonly height: number;
}

/** A window of consecutive frames, the unit of memory. Times in seconds, end exclusive. */
export interface Clip {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Frames that went through the encoder (repeats are counted, not kept). */
  readonly frames: readonly EncodedFrame[];
  readonly repeatFrames: number;
}

/** A memory token: a vector plus the span of video it summarizes. */
export interface MemoryToken {
  readonly vector: Float32Array;
  readonly start: number;
  readonly end: number;
  /** How much content the token stands for (merged frames, decayed with age). */
  readonly weight: number;
}

/** A clip distilled: its propagated memory and its own retrieval key. */
export interface ClipMemory {
  readonly clip: Clip;
  readonly tokens: readonly MemoryToken[];
  readonly indicator: Float32Array;
  /** The frame that best represents the clip, used for its thumbnail. */
  readonly keyframe: EncodedFrame;
}

/** A stretch of one stored video that matched something: what search and answers report. */
export interface Moment {
  readonly videoId: number;
  readonly videoPath: string;
  /** Seconds from the start of the video. */
  readonly start: number;
  readonly end: number;
  /** Relevance (cosine-like, higher is better). */
  readonly score: number;
  /** Keyframe JPEG of the moment, absolute path, when the store has one. */
  readonly thumbnail: string | null;
}
