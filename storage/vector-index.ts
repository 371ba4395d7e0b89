/**
 * The clip-indicator index: an HNSW graph over clip indicators, labelled by clip id, and each
 * clip's position in its video. It is a cache derived from SQLite, persisted as `indicators.hnsw`
 * and `positions.bin` plus `indicators.json`, which holds their sha256, checked before hnswlib
 * ever sees the file: hnswlib trusts what it reads, and a damaged file can take the whole process
 * down.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type hnswlib from 'hnswlib-node';
import type { ClipPosition } from '../src/core/clips.js';
import type { ModelIdentity } from '../src/core/model-identity.js';
import { ClipPositions } from './clip-positions.js';

/** Loaded with the first index: listing videos needs none. Required, not imported (it is CommonJS; see open-database). */
const loadHnswlib = (): typeof hnswlib => createRequire(import.meta.url)('hnswlib-node') as typeof hnswlib;

const INDEX_FILE = 'indicators.hnsw';
const POSITIONS_FILE = 'positions.bin';
const META_FILE = 'indicators.json';
// Version 1 had no positions: such an index is rebuilt.
const META_VERSION = 2;

const INITIAL_CAPACITY = 1024;
const M = 16;
const EF_CONSTRUCTION = 200;
// A fixed seed makes a rebuild from the same rows produce the same graph, hence the same answers.
const RANDOM_SEED = 100;
const EF_SEARCH = 100;

interface IndexMeta {
  readonly version: number;
  readonly model: ModelIdentity;
  readonly count: number;
  readonly maxClipId: number;
  readonly sha256: string;
  readonly positionsSha256: string;
}

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
  ) {
    hnsw.setEf(EF_SEARCH);
  }

  static create(model: ModelIdentity): VectorIndex {
    // The 'cosine' space normalizes every vector it is given, stored or queried.
    const hnsw = new (loadHnswlib().HierarchicalNSW)('cosine', model.dim);
    hnsw.initIndex(INITIAL_CAPACITY, M, EF_CONSTRUCTION, RANDOM_SEED);
    return new VectorIndex(hnsw, ClipPositions.empty(), model, 0);
  }

  /**
   * The index persisted in `dir`, or null when it is missing, unreadable, damaged or made for
   * another model: the caller rebuilds in each of those cases, so the reason does not matter.
   */
  static load(dir: string, model: ModelIdentity): VectorIndex | null {
    const meta = readMeta(join(dir, META_FILE));
    const file = join(dir, INDEX_FILE);
    if (!meta || !sameModel(meta.model, model) || !existsSync(file) || sha256File(file) !== meta.sha256) return null;
    const positions = readPositions(join(dir, POSITIONS_FILE), meta.positionsSha256);
    if (!positions || positions.capacity <= meta.maxClipId) return null;
    const hnsw = new (loadHnswlib().HierarchicalNSW)('cosine', model.dim);
    try {
      hnsw.readIndexSync(file);
    } catch {
      return null;
    }
    if (hnsw.getCurrentCount() !== meta.count || hnsw.getNumDimensions() !== model.dim) return null;
    return new VectorIndex(hnsw, positions, model, meta.maxClipId);
  }

  get count(): number {
    return this.hnsw.getCurrentCount();
  }

  /** The highest clip id indexed, 0 when empty: rows above it are what the index lacks. */
  get maxLabel(): number {
    return this.highestLabel;
  }

  add(label: number, vector: Float32Array, position: ClipPosition): void {
    const capacity = this.hnsw.getMaxElements();
    if (this.hnsw.getCurrentCount() >= capacity) this.hnsw.resizeIndex(capacity * 2);
    this.hnsw.addPoint(Array.from(vector), label);
    this.positions.set(label, position);
    this.highestLabel = Math.max(this.highestLabel, label);
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

  /**
   * Writes index, positions, then meta, each to a temporary file that is fsynced and renamed into
   * place. A crash between the renames leaves a meta whose checksums no longer match: a rebuild.
   */
  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, INDEX_FILE);
    this.hnsw.writeIndexSync(`${file}.tmp`);
    fsyncFile(`${file}.tmp`);
    const positionsFile = join(dir, POSITIONS_FILE);
    const positions = this.positions.toBytes(this.highestLabel);
    writeFileSync(`${positionsFile}.tmp`, positions);
    fsyncFile(`${positionsFile}.tmp`);
    const meta: IndexMeta = {
      version: META_VERSION,
      model: { name: this.model.name, dim: this.model.dim, fingerprint: this.model.fingerprint },
      count: this.count,
      maxClipId: this.highestLabel,
      sha256: sha256File(`${file}.tmp`),
      positionsSha256: createHash('sha256').update(positions).digest('hex'),
    };
    renameSync(`${file}.tmp`, file);
    renameSync(`${positionsFile}.tmp`, positionsFile);
    const metaFile = join(dir, META_FILE);
    writeFileSync(`${metaFile}.tmp`, `${JSON.stringify(meta, null, 2)}\n`);
    fsyncFile(`${metaFile}.tmp`);
    renameSync(`${metaFile}.tmp`, metaFile);
    fsyncDir(dir);
  }
}

function readMeta(file: string): IndexMeta | null {
  try {
    const meta = JSON.parse(readFileSync(file, 'utf8')) as Partial<IndexMeta>;
    const valid =
      meta.version === META_VERSION &&
      typeof meta.model?.name === 'string' &&
      typeof meta.model.dim === 'number' &&
      typeof meta.model.fingerprint === 'string' &&
      Number.isInteger(meta.count) &&
      Number.isInteger(meta.maxClipId) &&
      typeof meta.sha256 === 'string' &&
      typeof meta.positionsSha256 === 'string';
    return valid ? (meta as IndexMeta) : null;
  } catch {
    return null;
  }
}

function readPositions(file: string, sha256: string): ClipPositions | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  return createHash('sha256').update(bytes).digest('hex') === sha256 ? ClipPositions.fromBytes(bytes) : null;
}

/** The vectors' model, not its name: a store whose model folder moved keeps its index. */
function sameModel(a: ModelIdentity, b: ModelIdentity): boolean {
  return a.dim === b.dim && a.fingerprint === b.fingerprint;
}

function sha256File(file: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the renames durable; some platforms (Windows) cannot open a folder for that. */
function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
