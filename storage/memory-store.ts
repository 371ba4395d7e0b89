/**
 * The memory store: the only code that writes a vidmem store.
 *
 *   <dir>/vidmem.db                                SQLite, the source of truth
 *   <dir>/index/indicators.json, the files it names     HNSW over clip indicators, rebuilt from SQLite at will
 *   <dir>/thumbs/<videoId>/<index>.jpg             one keyframe per clip
 *   <dir>/snapshots/<clipId>-<ruleId>.jpg          an object rule's event, its boxes drawn
 *
 * It is opened here and offers one facade per concern: `videos` (videos, clips and every read a
 * question makes), `chats` (chat sessions), `sources` (live sources), `alerts` (standing
 * questions and their events). The model whose vectors it holds is bound once. Any
 * number of processes may write and read one store at once (see index-cache).
 */
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { ModelIdentity } from '../src/core/model-identity.js';
import { AlertLog } from './alert-log.js';
import { ChatLog } from './chat-log.js';
import { IndexCache } from './index-cache.js';
import { checkDbFile, connectDatabase, DB_FILE, prepareDir, reclaimFreePages, whyUnwritable, type SchemaUpgrade } from './open-database.js';
import { LiveSources } from './live-sources.js';
import { AlertsRepository } from './repositories/alerts.js';
import { ChatRepository } from './repositories/chat.js';
import { SourcesRepository } from './repositories/sources.js';
import { ClipTextsRepository } from './repositories/clip-texts.js';
import { ClipsRepository } from './repositories/clips.js';
import { DetectionsRepository } from './repositories/detections.js';
import { ModelsRepository } from './repositories/models.js';
import { RemovalsRepository } from './repositories/removals.js';
import { VideosRepository } from './repositories/videos.js';
import { ModelMismatchError, StoreError, StoreFailures } from './store-errors.js';
import { Recordings } from './recordings.js';
import { Removals } from './removals.js';
import { Snapshots } from './snapshots.js';
import { Snippets } from './snippets.js';
import { Thumbnails } from './thumbnails.js';
import { VideoLibrary } from './video-library.js';

export { ModelMismatchError, StoreError } from './store-errors.js';
export type { SchemaUpgrade } from './open-database.js';
export type { ChatSessionRecord, ChatTurnRecord, NewChatTurn } from './repositories/chat.js';
export type { NewVideo, VideoRecord, VideoStatus, VideoSummary } from './repositories/videos.js';
export type { LastClip, NewClipInput, VideoLibrary } from './video-library.js';
export type { ChatLog } from './chat-log.js';
export type { AlertLog } from './alert-log.js';
export type { LiveSources, NewSegment, RecordingFile, RetentionBudget, SourceBudget, SourceGap, SourceRecord, SourceSummary } from './live-sources.js';

export interface OpenOptions {
  /** Make the folder and database when missing (default true; never when readonly). */
  readonly create?: boolean;
  /**
   * Never write: for commands that only read (search, listing). An older store is still upgraded
   * first. `'when-unwritable'`: write where this process may, read only where it may not (a chat
   * that saves its sessions when it can).
   */
  readonly readonly?: boolean | 'when-unwritable';
  /** Told before a store written by an older vidmem is upgraded, which takes minutes for millions of clips. */
  readonly onUpgrade?: (upgrade: SchemaUpgrade) => void;
  /** Told, in one line each, what the store did without: it cannot be written here, its index could not be saved or had to be rebuilt. */
  readonly onNotice?: (message: string) => void;
}

export class MemoryStore {
  readonly videos: VideoLibrary;
  readonly chats: ChatLog;
  readonly sources: LiveSources;
  readonly alerts: AlertLog;
  private readonly models: ModelsRepository;
  private readonly index: IndexCache;
  private readonly removals: Removals;
  private readonly failures: StoreFailures;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly db: Database.Database,
    private readonly readonly: boolean,
    onNotice: (message: string) => void,
  ) {
    this.failures = new StoreFailures(dir, onNotice);
    this.models = new ModelsRepository(db);
    const clips = new ClipsRepository(db);
    const videos = new VideosRepository(db);
    const texts = new ClipTextsRepository(db);
    const sources = new SourcesRepository(db);
    const thumbnails = new Thumbnails(dir);
    const removals = new RemovalsRepository(db);
    const alerts = new AlertsRepository(db);
    const writeTransaction = <T>(work: () => T): T => db.transaction(work).immediate();
    this.index = new IndexCache({ storeDir: dir, models: this.models, clips, removals, readonly, writeLock: writeTransaction, failures: this.failures, onNotice });
    const recordings = new Recordings(dir);
    this.removals = new Removals({ clips, texts, videos, sources, alerts, removals, index: this.index, thumbnails, recordings, writeTransaction });
    this.videos = new VideoLibrary({
      dir, readonly, models: this.models, videos, clips, texts, detections: new DetectionsRepository(db), index: this.index,
      thumbnails, removals: this.removals, failures: this.failures, transaction: (work) => db.transaction(work)(),
    });
    this.chats = new ChatLog(dir, readonly, new ChatRepository(db), videos, this.failures);
    this.alerts = new AlertLog(dir, readonly, alerts, this.failures, thumbnails, new Snapshots(dir), new Snippets(dir));
    this.sources = new LiveSources({
      dir, readonly, sources, library: this.videos, recordings, removals: this.removals, failures: this.failures, transaction: (work) => db.transaction(work)(),
    });
  }

  static open(dir: string, options: OpenOptions = {}): MemoryStore {
    const root = resolve(dir);
    const unwritable = whyUnwritable(root);
    const readonly = options.readonly === 'when-unwritable' ? unwritable !== null : (options.readonly ?? false);
    const create = !readonly && (options.create ?? true);
    prepareDir(root, create);
    checkDbFile(root, create);
    if (unwritable && !readonly) throw new StoreError(`cannot write to store ${root}: ${unwritable}; reading it still works`);
    const onNotice = options.onNotice ?? (() => {});
    let connection = connectDatabase(root, { readonly, create, upgrade: false });
    if (connection.pending) {
      connection.db.close();
      options.onUpgrade?.(connection.pending);
      MemoryStore.upgrade(root, connection.pending, onNotice);
      connection = connectDatabase(root, { readonly, create, upgrade: false });
    }
    if (unwritable) {
      const unread = connection.unreadWal > 0 ? `; its last writes, in ${DB_FILE}-wal without ${DB_FILE}-shm, cannot be read here (copy the store somewhere writable to see them)` : '';
      onNotice(`store ${root} cannot be written here (${unwritable}): it is read as it is, and nothing is saved${unread}`);
    }
    const store = new MemoryStore(root, connection.db, readonly, onNotice);
    try {
      // The files of a removal killed between its rows and its files.
      if (!readonly) store.failures.guard(() => store.removals.removeFiles());
    } catch (err) {
      store.db.close();
      throw err;
    }
    return store;
  }

  /** Whether what is done with the store is saved: false for a store opened read-only. */
  get writable(): boolean {
    return !this.readonly;
  }

  /**
   * Migrates the schema and rebuilds the index in a writable connection of its own, so that the
   * first question after an upgrade, even from a read-only command, finds an index to load.
   */
  private static upgrade(root: string, { from, to }: SchemaUpgrade, onNotice: (message: string) => void): void {
    let writer: MemoryStore;
    try {
      writer = new MemoryStore(root, connectDatabase(root, { readonly: false, create: false, upgrade: true }).db, false, onNotice);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new StoreError(`store ${root} uses schema ${from} and needs an upgrade to ${to}, which needs write access: ${why}`);
    }
    try {
      reclaimFreePages(writer.db);
      writer.failures.guard(() => writer.index.get());
    } finally {
      writer.close();
    }
  }

  model(): ModelIdentity | null {
    return this.failures.guard(() => this.models.get());
  }

  /**
   * Records the store's model the first time; afterwards only the same model is accepted. The
   * same model is the same vision graph (its fingerprint) and width, whatever it is called: the
   * name is for people, and a writable store takes on the name it is now reached by (a folder
   * that moved, a copy), so that commands without --model find it there next time.
   */
  bindModel(model: ModelIdentity): void {
    this.failures.guard(() => {
      if (!model.name || !Number.isInteger(model.dim) || model.dim <= 0 || !model.fingerprint) {
        throw new StoreError(`model '${model.name}' has no usable identity (dim ${model.dim}, fingerprint '${model.fingerprint}')`);
      }
      // A read-only store has nothing to compare against yet, and may not record anything.
      if (!this.readonly && !this.models.get()) this.models.insert(model);
      const stored = this.models.get();
      if (!stored) return;
      if (stored.dim !== model.dim || stored.fingerprint !== model.fingerprint) throw new ModelMismatchError(this.dir, stored, model);
      if (stored.name !== model.name && !this.readonly) this.models.rename(model.name);
    });
  }

  /** Persists the index if it holds anything the files on disk lack; a failure is told through `onNotice`, never thrown. */
  flush(): void {
    this.index.flush();
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
}
