/**
 * The memory store: the only code that writes a vidmem store.
 *
 *   <dir>/vidmem.db                      SQLite, the source of truth
 *   <dir>/index/indicators.{hnsw,json}   HNSW over clip indicators, rebuilt from SQLite at will
 *   <dir>/thumbs/<videoId>/<index>.jpg   one keyframe per clip
 *
 * Crash safety rests on ordering: a thumbnail is written before its clip row (an orphan file is
 * harmless and overwritten on resume), a clip and its tokens commit in one transaction, and the
 * index on disk is only trusted after it has been checked against SQLite.
 */
import { closeSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { ModelIdentity } from '../src/encoders/encoder.js';
import type { MemoryToken } from '../src/types.js';
import { exactNearest } from './exact-nearest.js';
import { migrate, schemaState } from './migrate.js';
import { ChatRepository, type ChatSessionRecord, type ChatTurnRecord, type NewChatTurn } from './repositories/chat.js';
import { ClipsRepository, type NewClip } from './repositories/clips.js';
import { ModelsRepository } from './repositories/models.js';
import { VideosRepository, type NewVideo, type VideoRecord, type VideoSummary } from './repositories/videos.js';
import { asStoreError, ModelMismatchError, StoreError } from './store-errors.js';
import { VectorIndex, type IndexHit } from './vector-index.js';

export { ModelMismatchError, StoreError } from './store-errors.js';
export type { VideoRecord, VideoStatus, VideoSummary } from './repositories/videos.js';
export type { ChatSessionRecord, ChatTurnRecord, CitedMoment, NewChatTurn } from './repositories/chat.js';

const DB_FILE = 'vidmem.db';
const INDEX_DIR = 'index';
const THUMBS_DIR = 'thumbs';
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const BUSY_TIMEOUT_MS = 5000;
/** 11 hours of 4-second clips: scored in a few milliseconds (see nearestLabels). */
const EXACT_SEARCH_MAX_CLIPS = 10_000;

export interface OpenOptions {
  /** Make the folder and database when missing (default true; never when readonly). */
  readonly create?: boolean;
  /** Never write: for commands that only read (search, listing). An older store is still upgraded first. */
  readonly readonly?: boolean;
  /** Told before a store written by an older vidmem is upgraded, which takes minutes for millions of clips. */
  readonly onUpgrade?: (upgrade: SchemaUpgrade) => void;
}

export interface SchemaUpgrade {
  readonly from: number;
  readonly to: number;
}

/** A video as `beginVideo` takes it. */
export type NewVideoInput = NewVideo;

/** A clip as `appendClip` takes it: the store picks the thumbnail's path and writes its bytes. */
export type NewClipInput = Omit<NewClip, 'videoId' | 'thumbPath'> & { readonly thumbnailJpeg?: Uint8Array };

export interface LastClip {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly tokens: MemoryToken[];
}

/** What a clip's memory holds: its own indicator and the tokens carried forward to it. */
export interface ClipMemory {
  readonly indicator: Float32Array;
  readonly tokens: MemoryToken[];
}

export interface ClipSummary {
  readonly id: number;
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** A clip, where it is and what it looks like. */
export interface StoredClip {
  readonly clipId: number;
  readonly videoId: number;
  readonly videoPath: string;
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Absolute path of the clip's keyframe, null when none was stored. */
  readonly thumbnail: string | null;
}

/** An index hit and where it sits in its video, nothing more. */
export interface RankedClip {
  readonly clipId: number;
  readonly videoId: number;
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Cosine similarity between the query and the clip indicator. */
  readonly score: number;
}

export interface SearchHit extends StoredClip {
  /** Cosine similarity between the query and the clip indicator. */
  readonly score: number;
}

export class MemoryStore {
  private readonly models: ModelsRepository;
  private readonly videos: VideosRepository;
  private readonly clips: ClipsRepository;
  private readonly chat: ChatRepository;
  /** Loaded on first use: listing videos should not pay for reading or rebuilding the index. */
  private index: VectorIndex | undefined;
  /** The in-memory index holds clips the persisted one lacks. */
  private dirty = false;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly db: Database.Database,
    private readonly readonly: boolean,
  ) {
    this.models = new ModelsRepository(db);
    this.videos = new VideosRepository(db);
    this.clips = new ClipsRepository(db);
    this.chat = new ChatRepository(db);
  }

  static open(dir: string, opts: OpenOptions = {}): MemoryStore {
    const root = resolve(dir);
    const readonly = opts.readonly ?? false;
    const create = !readonly && (opts.create ?? true);
    prepareDir(root, create);
    const dbPath = join(root, DB_FILE);
    checkDbFile(root, dbPath, create);
    const upgrade = pendingUpgrade(dbPath);
    if (upgrade) {
      opts.onUpgrade?.(upgrade);
      MemoryStore.upgrade(root, dbPath, upgrade);
    }
    return MemoryStore.connect(root, dbPath, readonly, create);
  }

  /**
   * Migrates the schema and rebuilds the index in a writable connection of its own, so that the
   * first question after an upgrade, even from a read-only command, finds an index to load.
   */
  private static upgrade(root: string, dbPath: string, { from, to }: SchemaUpgrade): void {
    let writer: MemoryStore;
    try {
      writer = MemoryStore.connect(root, dbPath, false, false);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new StoreError(`store ${root} uses schema ${from} and needs an upgrade to ${to}, which needs write access: ${why}`);
    }
    try {
      writer.reclaimFreePages();
      writer.guard(() => writer.vectorIndex());
    } finally {
      writer.close();
    }
  }

  /**
   * A migration that moves rows to a new table leaves the old one's pages free inside the file
   * (the 003 upgrade: 40% of it). They are given back once, during the upgrade. Best effort: on
   * a full disk VACUUM fails and changes nothing, and the pages are reused by later ingests.
   */
  private reclaimFreePages(): void {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    if (free <= pages / 4) return;
    try {
      this.db.exec('VACUUM');
    } catch {
      // Nothing was changed; see above.
    }
  }

  private static connect(root: string, dbPath: string, readonly: boolean, create: boolean): MemoryStore {
    let db: Database.Database;
    try {
      db = new Database(dbPath, { readonly, fileMustExist: !create });
    } catch (err) {
      throw asStoreError(err, root);
    }
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      checkSchema(root, db, readonly);
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        migrate(db);
      }
      return new MemoryStore(root, db, readonly);
    } catch (err) {
      db.close();
      throw asStoreError(err, root);
    }
  }

  model(): ModelIdentity | null {
    return this.guard(() => this.models.get());
  }

  /** Records the store's model the first time; afterwards only the same model is accepted. */
  bindModel(model: ModelIdentity): void {
    this.guard(() => {
      if (!model.name || !Number.isInteger(model.dim) || model.dim <= 0 || !model.fingerprint) {
        throw new StoreError(`model '${model.name}' has no usable identity (dim ${model.dim}, fingerprint '${model.fingerprint}')`);
      }
      const stored = this.models.get();
      if (stored) {
        if (stored.name !== model.name || stored.dim !== model.dim || stored.fingerprint !== model.fingerprint) {
          throw new ModelMismatchError(this.dir, stored, model);
        }
        return;
      }
      // A read-only store has nothing to compare against yet, and may not record anything.
      if (!this.readonly) this.models.insert(model);
    });
  }

  findVideoByHash(hash: string): VideoRecord | undefined {
    return this.guard(() => this.videos.byHash(hash));
  }

  getVideo(id: number): VideoRecord | undefined {
    return this.guard(() => this.videos.byId(id));
  }

  /** A new video in status 'ingesting'. */
  beginVideo(v: NewVideoInput): VideoRecord {
    return this.guard(() => {
      this.assertWritable();
      const bad = (['durationSec', 'fps', 'width', 'height'] as const).find((k) => !Number.isFinite(v[k]) || v[k] < 0);
      if (bad) throw new StoreError(`video ${v.path}: ${bad} must be a finite number ≥ 0, got ${v[bad]}`);
      if (!v.contentHash) throw new StoreError(`video ${v.path}: no content hash`);
      const existing = this.videos.byHash(v.contentHash);
      if (existing) throw new StoreError(`video ${v.path} is already stored as #${existing.id} (${existing.status}, from ${existing.path})`);
      return this.videos.insert(v);
    });
  }

  /** The last stored clip of a video and its memory, from which an interrupted ingest resumes. */
  lastClip(videoId: number): LastClip | undefined {
    return this.guard(() => {
      const last = this.clips.last(videoId);
      return last && { index: last.index, start: last.start, end: last.end, tokens: this.clips.tokens(last.id) };
    });
  }

  /** Stores one clip; returns its id. Input is checked in full before anything is written. */
  appendClip(videoId: number, c: NewClipInput): number {
    return this.guard(() => {
      this.assertWritable();
      const model = this.models.get();
      if (!model) throw new StoreError(`store ${this.dir} has no model yet; bind one before appending clips`);
      const video = this.videos.byId(videoId);
      if (!video) throw new StoreError(`store ${this.dir} has no video #${videoId}`);
      if (video.status === 'complete') throw new StoreError(`video #${videoId} (${video.path}) is complete; it takes no more clips`);
      checkClip(videoId, c, model);
      // Before the thumbnail write: an existing clip's keyframe must not be replaced.
      if (this.clips.has(videoId, c.index)) throw new StoreError(`clip ${c.index} of video #${videoId} is already stored`);
      // Loaded before the insert so that its catch-up from SQLite does not see this clip too.
      const index = this.vectorIndex()!;
      const thumbPath = c.thumbnailJpeg ? this.writeThumbnail(videoId, c.index, c.thumbnailJpeg) : null;
      const id = this.clips.insert({ ...c, videoId, thumbPath });
      index.add(id, c.indicator, { videoId, index: c.index, start: c.start, end: c.end });
      this.dirty = true;
      return id;
    });
  }

  /** Marks the end of an ingest and persists the index. */
  finishVideo(videoId: number, status: 'complete' | 'incomplete', stats: Record<string, unknown>): void {
    this.guard(() => {
      this.assertWritable();
      if (status !== 'complete' && status !== 'incomplete') throw new StoreError(`unknown video status '${String(status)}'`);
      if (!this.videos.finish(videoId, status, stats)) throw new StoreError(`store ${this.dir} has no video #${videoId}`);
      this.flush();
    });
  }

  listVideos(): VideoSummary[] {
    return this.guard(() => this.videos.list());
  }

  clipsOf(videoId: number): ClipSummary[] {
    return this.guard(() => this.clips.ofVideo(videoId));
  }

  /** A video's clips that share some time with start–end, in order. */
  clipsOverlapping(videoId: number, start: number, end: number): ClipSummary[] {
    return this.guard(() => this.clips.overlapping(videoId, start, end));
  }

  clipMemory(clipId: number): ClipMemory | undefined {
    return this.clipMemories([clipId]).get(clipId);
  }

  /**
   * Many clips, where they are and what they remember, in one read (a question weighs dozens),
   * keyed by clip id; ids no longer stored are absent.
   */
  clipMemories(clipIds: readonly number[]): Map<number, StoredClip & ClipMemory> {
    return this.guard(() => {
      const found = new Map<number, StoredClip & ClipMemory>();
      for (const [id, c] of this.clips.memories(clipIds)) {
        found.set(id, {
          clipId: id, videoId: c.videoId, videoPath: c.videoPath, index: c.index, start: c.start, end: c.end,
          thumbnail: this.thumbnailPath(c.thumbPath), indicator: c.indicator, tokens: c.tokens,
        });
      }
      return found;
    });
  }

  /**
   * Clips whose indicator is closest to the query, best first. An all-zero query (a text the
   * model knows no word of) has no direction and matches nothing.
   */
  search(query: Float32Array, opts: { top: number; videoId?: number }): SearchHit[] {
    return this.guard(() => {
      const hits = this.nearestLabels(query, opts);
      const where = this.clipsById(hits.map((h) => h.label));
      return hits.flatMap(({ label, score }) => {
        const clip = where.get(label);
        return clip ? [{ ...clip, score }] : [];
      });
    });
  }

  /**
   * Like search, but only where each hit sits in its video, which the index knows without asking
   * SQLite: cheap enough to look deep into the index and decide which hits deserve a closer look.
   */
  nearestClips(query: Float32Array, opts: { top: number; videoId?: number }): RankedClip[] {
    return this.guard(() => {
      const index = this.vectorIndex();
      const ranked: RankedClip[] = [];
      for (const { label, score } of this.nearestLabels(query, opts)) {
        const at = index?.positionOf(label);
        if (at) ranked.push({ clipId: label, videoId: at.videoId, index: at.index, start: at.start, end: at.end, score });
      }
      return ranked;
    });
  }

  /** Where the given clips are, keyed by clip id; ids no longer stored are absent. */
  clipsById(clipIds: readonly number[]): Map<number, StoredClip> {
    return this.guard(() => {
      const stored = new Map<number, StoredClip>();
      for (const [id, { videoId, videoPath, index, start, end, thumbPath }] of this.clips.locate(clipIds)) {
        stored.set(id, { clipId: id, videoId, videoPath, index, start, end, thumbnail: this.thumbnailPath(thumbPath) });
      }
      return stored;
    });
  }

  /** A new chat session about one video, or about every video when `videoId` is null. */
  startChat(videoId: number | null): ChatSessionRecord {
    return this.guard(() => {
      this.assertWritable();
      if (videoId !== null && !this.videos.byId(videoId)) throw new StoreError(`store ${this.dir} has no video #${videoId}`);
      return this.chat.createSession(videoId);
    });
  }

  chatSession(id: number): ChatSessionRecord | undefined {
    return this.guard(() => this.chat.session(id));
  }

  /** Every chat session, the most recently used first. */
  chatSessions(): ChatSessionRecord[] {
    return this.guard(() => this.chat.sessions());
  }

  /** A session's turns, oldest first: all of them, or the latest `last`. */
  chatTurns(sessionId: number, last?: number): ChatTurnRecord[] {
    return this.guard(() => this.chat.lastTurns(sessionId, last ?? -1));
  }

  /** Records a completed turn with the moments it cited, in one transaction. */
  addChatTurn(sessionId: number, turn: NewChatTurn): ChatTurnRecord {
    return this.guard(() => {
      this.assertWritable();
      if (!this.chat.session(sessionId)) throw new StoreError(`store ${this.dir} has no chat session #${sessionId}`);
      turn.evidence.forEach((e, k) => {
        if (!isSpan(e.start, e.end) || !Number.isFinite(e.score)) {
          throw new StoreError(`chat turn: cited moment ${k} has a bad time span ${e.start}–${e.end} or score ${e.score}`);
        }
      });
      return this.chat.addTurn(sessionId, turn);
    });
  }

  /**
   * Index labels (clip ids) nearest the query, best first. Within one video of up to
   * EXACT_SEARCH_MAX_CLIPS clips they are found exactly rather than through the index (see
   * exact-nearest); a longer video is a large enough part of the graph for a filtered HNSW search.
   */
  private nearestLabels(query: Float32Array, opts: { top: number; videoId?: number }): IndexHit[] {
    const index = this.vectorIndex();
    if (!index) return [];
    checkVector(`query`, query, index.model);
    if (query.every((x) => x === 0)) return [];
    const top = Math.floor(opts.top);
    if (!(top >= 1)) return [];
    if (opts.videoId === undefined) return index.count > 0 ? index.search(query, Math.min(top, index.count)) : [];
    if (this.clips.countOfVideo(opts.videoId) <= EXACT_SEARCH_MAX_CLIPS) {
      return exactNearest(query, this.clips.indicatorsOfVideo(opts.videoId), top);
    }
    const allowed = this.clips.idsOfVideo(opts.videoId);
    return index.search(query, Math.min(top, allowed.size), (label) => allowed.has(label));
  }

  /** Persists the index if it holds anything the files on disk lack. */
  flush(): void {
    this.guard(() => {
      if (this.readonly || !this.dirty || !this.index) return;
      this.index.save(join(this.dir, INDEX_DIR));
      this.dirty = false;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      this.db.close();
    }
  }

  /**
   * The index, loaded or rebuilt on first use; null while the store has no model. A persisted
   * index is used only if it agrees with SQLite on the clips it claims to hold; clips committed
   * after it was saved (a crash before the flush) are then added from SQLite.
   */
  private vectorIndex(): VectorIndex | null {
    if (this.index) return this.index;
    const model = this.models.get();
    if (!model) return null;
    const loaded = VectorIndex.load(join(this.dir, INDEX_DIR), model);
    const trusted = loaded && this.clips.countUpTo(loaded.maxLabel) === loaded.count ? loaded : null;
    const index = trusted ?? VectorIndex.create(model);
    let added = 0;
    for (const { id, indicator, position } of this.clips.indexRowsAfter(index.maxLabel)) {
      index.add(id, indicator, position);
      added++;
    }
    this.index = index;
    this.dirty = !trusted || added > 0;
    return index;
  }

  /** Thumbnail paths are stored relative to the store, so that it can be moved as a whole. */
  private thumbnailPath(relative: string | null): string | null {
    return relative === null ? null : join(this.dir, relative);
  }

  /** Returns the path relative to the store; a leftover from a crashed attempt is overwritten. */
  private writeThumbnail(videoId: number, clipIndex: number, jpeg: Uint8Array): string {
    const rel = `${THUMBS_DIR}/${videoId}/${clipIndex}.jpg`;
    const file = join(this.dir, rel);
    mkdirSync(join(this.dir, THUMBS_DIR, String(videoId)), { recursive: true });
    writeFileSync(`${file}.tmp`, jpeg);
    renameSync(`${file}.tmp`, file);
    return rel;
  }

  private assertWritable(): void {
    if (this.readonly) throw new StoreError(`store ${this.dir} is open read-only`);
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw asStoreError(err, this.dir);
    }
  }
}

function prepareDir(root: string, create: boolean): void {
  let isDir: boolean;
  try {
    isDir = statSync(root).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw asStoreError(err, root);
    if (!create) throw new StoreError(`no store at ${root}; ingest a video first`);
    try {
      mkdirSync(root, { recursive: true });
    } catch (mkdirErr) {
      throw new StoreError(`cannot create store ${root}: ${(mkdirErr as Error).message}`);
    }
    return;
  }
  if (!isDir) throw new StoreError(`store ${root} is a file, not a store folder`);
}

/** SQLite is never handed a file that is not SQLite: even a failed open may write to it. */
function checkDbFile(root: string, dbPath: string, create: boolean): void {
  let size: number;
  try {
    const st = statSync(dbPath);
    if (!st.isFile()) throw new StoreError(`store ${root} is not a vidmem store: ${DB_FILE} is not a file`);
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw asStoreError(err, root);
    if (!create) throw new StoreError(`no store at ${root}; ingest a video first`);
    return;
  }
  // An empty file is what SQLite itself leaves when it dies while creating a database.
  if (size === 0) return;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(dbPath, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw new StoreError(`store ${root} is not a vidmem store: file is not a database`);
}

function checkSchema(root: string, db: Database.Database, readonly: boolean): void {
  const { version, latest, hasTables } = schemaState(db);
  if (version > latest) {
    throw new StoreError(`store ${root} was written by a newer vidmem (schema ${version}, this one knows up to ${latest}); upgrade vidmem`);
  }
  if (version === 0 && hasTables) throw new StoreError(`store ${root} is not a vidmem store: ${DB_FILE} holds other tables`);
  if (readonly && version === 0) throw new StoreError(`no store at ${root}; ingest a video first`);
}

/**
 * The upgrade a store written by an older vidmem needs, null for any other database. Whatever
 * makes the file unreadable here is reported by the real open.
 */
function pendingUpgrade(dbPath: string): SchemaUpgrade | null {
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    const { version, latest } = schemaState(db);
    return version > 0 && version < latest ? { from: version, to: latest } : null;
  } catch {
    return null;
  } finally {
    db.close();
  }
}

function checkVector(what: string, v: Float32Array, model: ModelIdentity): void {
  if (!(v instanceof Float32Array) || v.length !== model.dim) {
    throw new StoreError(`${what} has ${v?.length} values; model '${model.name}' makes ${model.dim}-d vectors`);
  }
  if (!v.every(Number.isFinite)) throw new StoreError(`${what} holds a value that is not a finite number`);
}

function checkClip(videoId: number, c: NewClipInput, model: ModelIdentity): void {
  const what = `clip ${c.index} of video #${videoId}`;
  const fail = (why: string): never => {
    throw new StoreError(`${what}: ${why}`);
  };
  if (!Number.isInteger(c.index) || c.index < 0) fail(`index must be an integer ≥ 0`);
  if (!isSpan(c.start, c.end)) fail(`bad time span ${c.start}–${c.end}`);
  for (const [name, n] of [['framesEncoded', c.framesEncoded], ['framesRepeat', c.framesRepeat]] as const) {
    if (!Number.isInteger(n) || n < 0) fail(`${name} must be an integer ≥ 0, got ${n}`);
  }
  // An all-zero indicator is allowed: a frame may hold nothing a model knows (a grey scene for
  // palette); hnswlib's cosine space leaves it at distance 1 from every query.
  checkVector(`${what}: indicator`, c.indicator, model);
  c.tokens.forEach((t, k) => {
    checkVector(`${what}: token ${k}`, t.vector, model);
    if (!isSpan(t.start, t.end)) fail(`token ${k} has a bad time span ${t.start}–${t.end}`);
    if (!Number.isFinite(t.weight) || t.weight < 0) fail(`token ${k} has a bad weight ${t.weight}`);
  });
  if (c.thumbnailJpeg !== undefined && !(c.thumbnailJpeg instanceof Uint8Array && c.thumbnailJpeg.length > 0)) {
    fail('thumbnail is empty');
  }
}

function isSpan(start: number, end: number): boolean {
  return Number.isFinite(start) && Number.isFinite(end) && start >= 0 && end >= start;
}
