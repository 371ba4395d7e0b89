import type { Clip, ClipMemory, MemoryToken } from '../clips.js';

/**
 * The streaming-encoding contract from VideoStreaming: the previous clip's memory plus the new
 * clip's tokens become the new memory (which therefore summarizes the video so far) and the clip's
 * indicator (its own content, used as the retrieval key). A learned distiller exported to ONNX
 * can implement the same interface.
 */
export interface Distiller {
  readonly name: string;
  /** At most this many memory tokens per clip. */
  readonly tokens: number;
  distill(previous: readonly MemoryToken[], clip: Clip): ClipMemory;
}
