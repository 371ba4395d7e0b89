/**
 * Where each indexed clip sits in its video, by clip id. A question looks at hundreds of index
 * hits to decide which few to read, and needs each one's video, place and time for that; asking
 * SQLite costs more than the HNSW search itself, so the index keeps them beside the graph.
 * 32 bytes a clip: 32 MB for a million clips.
 */
import type { ClipPosition } from '../src/core/clips.js';
import { bytesToFloat64, float64ToBytes } from './blobs.js';

/** videoId, index, start, end; a videoId of 0 (never a video's id) marks an id with no clip. */
const FIELDS = 4;

export class ClipPositions {
  private constructor(private table: Float64Array) {}

  static empty(): ClipPositions {
    return new ClipPositions(new Float64Array(1024 * FIELDS));
  }

  /** From `toBytes`; null when the bytes cannot be a table. */
  static fromBytes(bytes: Buffer): ClipPositions | null {
    return bytes.length % (FIELDS * 8) === 0 ? new ClipPositions(bytesToFloat64(bytes)) : null;
  }

  /** Ids below this have room in the table (an id ≥ it has no clip). */
  get capacity(): number {
    return this.table.length / FIELDS;
  }

  set(clipId: number, p: ClipPosition): void {
    if (clipId >= this.capacity) {
      const grown = new Float64Array(Math.max(clipId + 1, this.capacity * 2) * FIELDS);
      grown.set(this.table);
      this.table = grown;
    }
    this.table.set([p.videoId, p.index, p.start, p.end], clipId * FIELDS);
  }

  clear(clipId: number): void {
    if (clipId < this.capacity) this.table.fill(0, clipId * FIELDS, (clipId + 1) * FIELDS);
  }

  get(clipId: number): ClipPosition | undefined {
    const at = clipId * FIELDS;
    const videoId = this.table[at];
    if (!videoId) return undefined;
    return { videoId, index: this.table[at + 1]!, start: this.table[at + 2]!, end: this.table[at + 3]! };
  }

  /** The rows of ids up to `maxClipId`, little-endian. */
  toBytes(maxClipId: number): Buffer {
    return float64ToBytes(this.table.subarray(0, Math.min(this.capacity, maxClipId + 1) * FIELDS));
  }
}
