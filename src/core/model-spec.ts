import type { Dtype } from './config.js';

/** How a CLIP-layout model wants its images: preprocessor_config.json, as the encoders use it. */
export interface Preprocessor {
  readonly width: number;
  readonly height: number;
  /** Resize the shortest edge to this, then centre-crop to width×height (CLIP); else squash. */
  readonly shortestEdge: number | null;
  readonly rescale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/**
 * A CLIP-family dual encoder as the encoders load it: its files found and its settings read from
 * the folder (models/ does that), so that running it needs nothing else.
 */
export interface ClipModelSpec {
  /** What the store records as the model's name. */
  readonly name: string;
  readonly folder: string;
  readonly dtype: Dtype;
  /** The vision graph; its sha256 is the fingerprint. */
  readonly visionGraph: string;
  /** The text graph, when it was asked for. */
  readonly textGraph?: string;
  readonly fingerprint: string;
  /** Embedding width when config.json says; else the graph's output decides. */
  readonly dim: number | null;
  readonly preprocessor: Preprocessor;
  /** SigLIP was trained on text padded to its full context (64 tokens); its embeddings assume it. */
  readonly padToMaxLength: boolean;
}
