/**
 * What a clip is made of on its way from decoded frame to stored memory, and the one family of
 * shapes a stored clip is read back in. Times are seconds from the start of the video.
 */
import type { ClipText } from './clip-text.js';

/** One sampled frame, already scaled to the encoder's input size by ffmpeg (packed RGB24). */
export interface Frame {
  /** Position in the sampled sequence, starting at 0 for the first frame read. */
  readonly index: number;
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

/** A window of consecutive frames, the unit of memory. End exclusive. */
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

/** A clip distilled: its propagated memory, its own retrieval key and its most typical frame. */
export interface DistilledClip {
  readonly clip: Clip;
  readonly tokens: readonly MemoryToken[];
  readonly indicator: Float32Array;
  readonly keyframe: EncodedFrame;
  /** What the clip showed and what was said in it, each piece with its own time. */
  readonly texts?: readonly ClipText[];
}

// A stored clip, from the least that is known of it to the most.

/** Where a clip sits in its video: what the index keeps beside each vector. */
export interface ClipPosition {
  readonly videoId: number;
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** A stored clip by its id (the index label) and position. */
export interface ClipRef extends ClipPosition {
  readonly clipId: number;
}

/** A clip found for a query, with the cosine between the query and its indicator. */
export interface RankedClip extends ClipRef {
  readonly score: number;
}

/** A clip as it is shown: the video it belongs to and its keyframe. */
export interface StoredClip extends ClipRef {
  readonly videoPath: string;
  /** UTC seconds at which the video began, for a live source's segment; null for a file. */
  readonly startedAt: number | null;
  /** Absolute path of the clip's keyframe JPEG, null when none was stored. */
  readonly thumbnail: string | null;
}

/** What a clip's memory holds: its own indicator and the tokens carried forward to it. */
export interface ClipMemory {
  readonly indicator: Float32Array;
  /** Oldest memory first. */
  readonly tokens: readonly MemoryToken[];
}

export interface RememberedClip extends StoredClip, ClipMemory {}
