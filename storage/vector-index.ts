/**
 * The clip-indicator index in memory: an HNSW graph over clip indicators, labelled by clip id, and
 * each clip's position in its video. How it is kept on disk is index-files' concern.
 */
import { createRequire } from 'node:module';
import type hnswlib from 'hnswlib-node';
import type { ClipPosition } from '../src/core/clips.js';
import type { ModelIdentity } from '../src/core/model-identity.js';
import { ClipPositions } from './clip-positions.js';

/** Loaded with the first index: listing videos needs none. Required, not imported (it is CommonJS; see open-database). */
const loadHnswlib = (): typeof hnswlib => createRequire(import.meta.url)('hnswlib-node') as typeof hnswlib;

const INITIAL_CAPACITY = 1024;
const M = 16;
const EF_CONSTRUCTION = 200;
// A fixed seed makes a rebuild from the same rows produce the same graph, hence the same answers.
const RANDOM_SEED = 100;
const EF_SEARCH = 100;
/**
 * A new clip takes over the slot of a removed one: a camera whose old memories are pruned every
 * minute keeps a graph the size of what it retains, instead of one that grows for ever.
 */
const REUSE_REMOVED = true;

export interface IndexHit {
  readonly label: number;
  /** Cosine similarity, 1 for the same direction. */
  readonly score: number;
}

export class VectorIndex {
  private constructor(
    private readonly hnsw: hnswlib.HierarchicalNSW,
    private readonly positions: ClipPositions,
    readonly model: ModelIdentity,
    private highestLabel: number,
    /** Slots of removed clips, marked deleted in the graph until a new clip takes one over. */
    private deleted: number,
  ) {
    hnsw.setEf(EF_SEARCH);
  }

  static create(model: ModelIdentity): VectorIndex {
    // The 'cosine' space normalizes every vector it is given, stored or queried.
    const hnsw = new (loadHnswlib().HierarchicalNSW)('cosine', model.dim);
    hnsw.initIndex(INITIAL_CAPACITY, M, EF_CONSTRUCTION, RANDOM_SEED, REUSE_REMOVED);
    return new VectorIndex(hnsw, ClipPositions.empty(), model, 0, 0);
  }

  /**
   * The graph hnswlib wrote to `graphFile`, with its clips' positions; null when hnswlib cannot
   * read it or it does not hold what the caller expects. The caller has checked the file's bytes:
   * hnswlib trusts what it reads, and a damaged file can take the whole process down.
   */
  static read(
    graphFile: string,
    positions: ClipPositions,
    model: ModelIdentity,
    expected: { count: number; deleted: number; maxLabel: number },
  ): VectorIndex | null {
    if (positions.capacity <= expected.maxLabel) return null;
    const hnsw = new (loadHnswlib().HierarchicalNSW)('cosine', model.dim);
    try {
      hnsw.readIndexSync(graphFile, REUSE_REMOVED);
    } catch {
      return null;
    }
    if (hnsw.getCurrentCount() !== expected.count + expected.deleted || hnsw.getNumDimensions() !== model.dim) return null;
    return new VectorIndex(hnsw, positions, model, expected.maxLabel, expected.deleted);
  }

  /** The clips indexed, not counting removed ones. */
  get count(): number {
    return this.hnsw.getCurrentCount() - this.deleted;
  }

  /** Slots the graph keeps for removed clips (see REUSE_REMOVED). */
  get deletedSlots(): number {
    return this.deleted;
  }

  /** The highest clip id indexed, 0 when empty: rows above it are what the index lacks. */
  get maxLabel(): number {
    return this.highestLabel;
  }

  has(label: number): boolean {
    return this.positions.get(label) !== undefined;
  }

  add(label: number, vector: Float32Array, position: ClipPosition): void {
    const capacity = this.hnsw.getMaxElements();
    if (this.deleted === 0 && this.hnsw.getCurrentCount() >= capacity) this.hnsw.resizeIndex(capacity * 2);
    this.hnsw.addPoint(Array.from(vector), label, REUSE_REMOVED);
    if (this.deleted > 0) this.deleted -= 1;
    this.positions.set(label, position);
    this.highestLabel = Math.max(this.highestLabel, label);
  }

  /** A clip no longer stored: searches stop finding it at once. */
  remove(label: number): void {
    if (!this.has(label)) return;
    this.hnsw.markDelete(label);
    this.positions.clear(label);
    this.deleted += 1;
  }

  /** Removes every indexed clip up to the highest label that `kept` lacks: what other processes removed. */
  keepOnly(kept: ReadonlySet<number>): void {
    for (let label = 1; label <= this.highestLabel; label++) if (!kept.has(label)) this.remove(label);
  }

  /** Best first. `k` must not exceed the labels the filter lets through. */
  search(query: Float32Array, k: number, filter?: (label: number) => boolean): IndexHit[] {
    const { distances, neighbors } = this.hnsw.searchKnn(Array.from(query), k, filter);
    return neighbors.map((label, i) => ({ label, score: 1 - distances[i]! }));
  }

  /** Where an indexed clip sits in its video. */
  positionOf(label: number): ClipPosition | undefined {
    return this.positions.get(label);
  }

  /** hnswlib's file of the graph. It checks none of its writes: see index-files for what follows. */
  writeGraph(file: string): void {
    this.hnsw.writeIndexSync(file);
  }

  /** The positions of the clips up to the highest label, as `ClipPositions.fromBytes` reads them. */
  positionBytes(): Buffer {
    return this.positions.toBytes(this.highestLabel);
  }
}
