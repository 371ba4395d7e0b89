/**
 * The index on disk, shared by any number of writers and readers at once. Every save is a
 * generation of its own: the graph (`indicators-<tag>.hnsw`) and the clip positions
 * (`positions-<tag>.bin`) are written under temporary names no other process uses, and committed
 * holding the store's write lock: renamed to those names, then `indicators.json`, which names them
 * with their sha256, is renamed into place. That last rename is the commit point, so a reader
 * finds one whole generation, never files of two saves. Each commit removes the generations no
 * meta names any more; a reader that loses one while it reads starts again from the newer meta.
 *
 * The sha256s are checked before hnswlib ever sees a file: hnswlib trusts what it reads, and a
 * damaged file can take the whole process down.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelIdentity } from '../src/core/model-identity.js';
import { ClipPositions } from './clip-positions.js';
import { ensureFolder, fsyncDir, fsyncFile, removeQuietly, uniqueTag, writeWhole } from './files.js';
import { VectorIndex } from './vector-index.js';

const META_FILE = 'indicators.json';
// Version 1 had no positions: such an index is rebuilt. Version 2 kept one fixed pair of files.
const META_VERSION = 3;
const VERSION_2_FILES = { graphFile: 'indicators.hnsw', positionsFile: 'positions.bin' };
/** What vidmem before version 3 left in the folder; removed by the first commit. */
const VERSION_2_LEFTOVERS = ['indicators.hnsw', 'positions.bin', 'indicators.hnsw.tmp', 'positions.bin.tmp', 'indicators.json.tmp'];
/** A committed generation's files: `<tag>` is the writing process's id and a random part. */
const COMMITTED_FILE = /^(?:indicators|positions)-\d+-[0-9a-f]+\.(?:hnsw|bin)$/;
/** A save on its way, or one its process did not live to commit. */
const TEMPORARY_FILE = /^(?:(?:indicators|positions)-(\d+)-[0-9a-f]+\.(?:hnsw|bin)|indicators\.json\.(\d+)-[0-9a-f]+)\.tmp$/;

/** Generations a reader tries before it gives up and rebuilds: each newer one means a save finished meanwhile. */
const LOAD_ATTEMPTS = 5;

interface IndexMeta {
  readonly version: number;
  readonly model: ModelIdentity;
  /** Clips indexed, not counting the slots of removed ones. */
  readonly count: number;
  /** Slots of removed clips the graph keeps (none before removals existed). */
  readonly deleted: number;
  /** Every clip up to this id is in the generation, and none above it, unless removed later than this. */
  readonly maxClipId: number;
  /** The store's removals counter the generation has seen: a larger one means clips to drop (see index-cache). */
  readonly removals: number;
  readonly graphFile: string;
  readonly sha256: string;
  readonly positionsFile: string;
  readonly positionsSha256: string;
}

/** A generation on disk as a writer compares it with its own: which one, and how far it reaches. */
export interface Generation {
  readonly name: string;
  readonly maxClipId: number;
  readonly removals: number;
}

export interface LoadedIndex {
  /** Null when the files are missing, unreadable, damaged or made for another model. */
  readonly index: VectorIndex | null;
  /** The generation that was found, usable or not; null when there is none. */
  readonly found: Generation | null;
}

/** A generation written under temporary names and not yet committed. */
export interface PendingGeneration {
  readonly dir: string;
  readonly tag: string;
  readonly meta: IndexMeta;
}

/** The index saved in `dir`. */
export function loadIndex(dir: string, model: ModelIdentity): LoadedIndex {
  let meta = readMeta(dir);
  for (let attempt = 1; ; attempt++) {
    if (!meta) return { index: null, found: null };
    const found = generationOf(meta);
    if (!sameModel(meta.model, model)) return { index: null, found };
    const index = readGeneration(dir, meta, model);
    if (index) return { index, found };
    // A newer save may have removed this generation's files while they were being read.
    const now = readMeta(dir);
    if (!now || now.graphFile === meta.graphFile || attempt === LOAD_ATTEMPTS) return { index: null, found };
    meta = now;
  }
}

/** The generation `indicators.json` names now, unchecked: cheap enough to ask before a save. */
export function savedGeneration(dir: string): Generation | null {
  const meta = readMeta(dir);
  return meta && generationOf(meta);
}

/** Writes the index, which has seen `removals` removals, as a new generation to be committed or discarded. */
export function writeGeneration(dir: string, index: VectorIndex, removals: number): PendingGeneration {
  ensureFolder(dir);
  const tag = uniqueTag();
  const [graph, positionsFile, metaFile] = temporaryFiles(dir, tag);
  try {
    index.writeGraph(graph);
    fsyncFile(graph);
    if (!graphFileIsWhole(graph)) {
      throw Object.assign(new Error(`hnswlib could not write all of ${graph} (no space left on device?)`), { code: 'ENOSPC' });
    }
    const positions = index.positionBytes();
    writeWhole(positionsFile, positions, true);
    const meta: IndexMeta = {
      version: META_VERSION,
      model: { name: index.model.name, dim: index.model.dim, fingerprint: index.model.fingerprint },
      count: index.count,
      deleted: index.deletedSlots,
      maxClipId: index.maxLabel,
      removals,
      ...committedNames(tag),
      sha256: sha256File(graph)!,
      positionsSha256: createHash('sha256').update(positions).digest('hex'),
    };
    writeWhole(metaFile, `${JSON.stringify(meta, null, 2)}\n`, true);
    return { dir, tag, meta };
  } catch (err) {
    for (const file of temporaryFiles(dir, tag)) removeQuietly(file);
    throw err;
  }
}

/**
 * Makes `pending` the index readers load, and returns the files it made stale: the generations it
 * replaces, and what saves that never finished left. Call it holding the store's write lock: a
 * generation's files get their committed names only under it, so that what is found stale here is
 * never a commit under way. Remove them once the lock is let go (removing a large file takes a while).
 */
export function commitGeneration({ dir, tag, meta }: PendingGeneration): string[] {
  const [graph, positions, metaFile] = temporaryFiles(dir, tag);
  renameSync(graph, join(dir, meta.graphFile));
  renameSync(positions, join(dir, meta.positionsFile));
  // The files' renames are durable before the meta's, which names them.
  fsyncDir(dir);
  renameSync(metaFile, join(dir, META_FILE));
  fsyncDir(dir);
  return readdirSync(dir)
    .filter((name) => {
      if (name === meta.graphFile || name === meta.positionsFile) return false;
      const temporary = TEMPORARY_FILE.exec(name);
      const writer = temporary && Number(temporary[1] ?? temporary[2]);
      // Another running process's temporary files are a save in progress; this process has none.
      const abandoned = writer !== null && (writer === process.pid || !isRunning(writer));
      return COMMITTED_FILE.test(name) || abandoned || VERSION_2_LEFTOVERS.includes(name);
    })
    .map((name) => join(dir, name));
}

export function discardGeneration({ dir, tag }: PendingGeneration): void {
  for (const file of temporaryFiles(dir, tag)) removeQuietly(file);
}

function committedNames(tag: string): { graphFile: string; positionsFile: string } {
  return { graphFile: `indicators-${tag}.hnsw`, positionsFile: `positions-${tag}.bin` };
}

/** Where a generation's graph, positions and meta wait for their commit. */
function temporaryFiles(dir: string, tag: string): [graph: string, positions: string, meta: string] {
  const { graphFile, positionsFile } = committedNames(tag);
  return [join(dir, `${graphFile}.tmp`), join(dir, `${positionsFile}.tmp`), join(dir, `${META_FILE}.${tag}.tmp`)];
}

function generationOf(meta: IndexMeta): Generation {
  return { name: meta.graphFile, maxClipId: meta.maxClipId, removals: meta.removals };
}

function readGeneration(dir: string, meta: IndexMeta, model: ModelIdentity): VectorIndex | null {
  const graph = join(dir, meta.graphFile);
  if (sha256File(graph) !== meta.sha256) return null;
  const positions = readPositions(join(dir, meta.positionsFile), meta.positionsSha256);
  return positions && VectorIndex.read(graph, positions, model, { count: meta.count, deleted: meta.deleted, maxLabel: meta.maxClipId });
}

function readMeta(dir: string): IndexMeta | null {
  let meta: Partial<IndexMeta>;
  try {
    meta = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as Partial<IndexMeta>;
  } catch {
    return null;
  }
  if (meta.version === 2) meta = { ...meta, ...VERSION_2_FILES };
  // Saved before clips could be removed: nothing removed, nothing seen.
  meta = { deleted: 0, removals: 0, ...meta };
  const valid =
    (meta.version === 2 || meta.version === META_VERSION) &&
    typeof meta.model?.name === 'string' &&
    typeof meta.model.dim === 'number' &&
    typeof meta.model.fingerprint === 'string' &&
    Number.isInteger(meta.count) &&
    Number.isInteger(meta.maxClipId) &&
    Number.isInteger(meta.deleted) &&
    Number.isInteger(meta.removals) &&
    [meta.graphFile, meta.positionsFile].every((name) => typeof name === 'string' && /^[\w.-]+$/.test(name) && !name.startsWith('.')) &&
    typeof meta.sha256 === 'string' &&
    typeof meta.positionsSha256 === 'string';
  return valid ? (meta as IndexMeta) : null;
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

/**
 * hnswlib writes its file through a std::ofstream and checks none of the writes, so a full disk
 * leaves a short file that it reports as saved. Whether the file is whole follows from its layout:
 * a 96-byte header holding the element count (bytes 16–23) and the size of each element's record
 * (24–31), the records, then for each element a u32 length and that many bytes of upper-level
 * links, up to the end of the file.
 */
function graphFileIsWhole(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(32);
    if (readSync(fd, header, 0, header.length, 0) < header.length) return false;
    const count = Number(header.readBigUInt64LE(16));
    let at = 96 + count * Number(header.readBigUInt64LE(24));
    const chunk = Buffer.allocUnsafe(1 << 16);
    for (let element = 0; element < count; ) {
      const n = readSync(fd, chunk, 0, chunk.length, at);
      if (n < 4) return false;
      let offset = 0;
      for (; element < count && offset + 4 <= n; element++) offset += 4 + chunk.readUInt32LE(offset);
      at += offset;
    }
    return at === size;
  } finally {
    closeSync(fd);
  }
}

/** Null when the file cannot be read (it may have been removed by a newer save). */
function sha256File(file: string): string | null {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** The vectors' model, not its name: a store whose model folder moved keeps its index. */
function sameModel(a: ModelIdentity, b: ModelIdentity): boolean {
  return a.dim === b.dim && a.fingerprint === b.fingerprint;
}

/** Whether a process of this id runs on this machine (one that is not ours to signal runs too). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
