/**
 * The index's lifecycle: the persisted HNSW index is loaded on first use, trusted only if it
 * agrees with SQLite on the clips it claims to hold, caught up with the clips committed after it
 * was saved (by a crashed process, or by other processes writing to the store), rebuilt from SQLite
 * when it cannot be trusted, and saved again when it holds clips the files on disk lack.
 *
 * Several processes may append clips at once, so their clip ids interleave: the in-memory index
 * holds the clips it loaded, its own, and whatever others committed that it has caught up with.
 * SQLite hands out ids in commit order, so the committed ids above what the index has seen are
 * exactly what it may lack; a save first catches up with all of them, which makes every saved
 * generation hold every clip up to its highest id, as the trust check expects.
 */
import { join } from 'node:path';
import type { ClipPosition } from '../src/core/clips.js';
import { removeQuietly } from './files.js';
import { commitGeneration, discardGeneration, loadIndex, savedGeneration, writeGeneration, type Generation } from './index-files.js';
import type { ClipsRepository } from './repositories/clips.js';
import type { ModelsRepository } from './repositories/models.js';
import type { StoreFailures } from './store-errors.js';
import { VectorIndex } from './vector-index.js';

const INDEX_DIR = 'index';

export interface IndexCacheParts {
  readonly storeDir: string;
  readonly models: ModelsRepository;
  readonly clips: ClipsRepository;
  readonly readonly: boolean;
  /** Runs `work` holding the store's write lock (SQLite's), so that two saves never commit at once. */
  readonly writeLock: (work: () => void) => void;
  readonly failures: StoreFailures;
  /** Told when a saved index could not be used and is rebuilt: minutes for millions of clips. */
  readonly onNotice: (message: string) => void;
}

export class IndexCache {
  /** Loaded on first use: listing videos should not pay for reading or rebuilding the index. */
  private index: VectorIndex | undefined;
  /** Every committed clip with an id up to this one is in the in-memory index. */
  private complete = 0;
  /** The highest clip id the files on disk hold, as far as this process knows. */
  private saved = 0;
  /** The generation on disk when this process last looked, so that a newer one is recognised. */
  private seen: Generation | null = null;

  constructor(private readonly parts: IndexCacheParts) {}

  /** The index, loaded or rebuilt; null while the store has no model. */
  get(): VectorIndex | null {
    if (this.index) return this.index;
    const model = this.parts.models.get();
    if (!model) return null;
    const { index: loaded, found } = loadIndex(this.dir, model);
    const trusted = loaded && this.parts.clips.countUpTo(loaded.maxLabel) === loaded.count ? loaded : null;
    this.index = trusted ?? VectorIndex.create(model);
    this.complete = this.saved = trusted?.maxLabel ?? 0;
    this.seen = found;
    if (found && !trusted) this.parts.onNotice(`the index of store ${this.parts.storeDir} is damaged or out of date; rebuilding it from SQLite`);
    this.catchUp();
    return this.index;
  }

  /**
   * The index as a question needs it: with the clips other processes committed since it was
   * loaded, so that a process that stays open (a server, a chat) sees what a watch stores.
   */
  read(): VectorIndex | null {
    const loaded = this.index !== undefined;
    const index = this.get();
    if (loaded && index) this.catchUp();
    return index;
  }

  /** A clip this process just committed to SQLite. */
  add(clipId: number, indicator: Float32Array, position: ClipPosition): void {
    this.get()!.add(clipId, indicator, position);
    if (clipId === this.complete + 1) this.complete = clipId;
  }

  /**
   * Saves the index if it holds clips the files on disk lack. A cache that cannot be saved fails
   * nothing: the store says so once, and the next open catches up from SQLite.
   */
  flush(): void {
    if (this.parts.readonly || !this.index) return;
    try {
      this.save(this.index);
    } catch (err) {
      this.parts.failures.notice(err, (cause) => `${cause}; the index was not saved, and the next command rebuilds what it lacks from SQLite`);
    }
  }

  private get dir(): string {
    return join(this.parts.storeDir, INDEX_DIR);
  }

  private save(index: VectorIndex): void {
    this.catchUp();
    if (index.maxLabel <= this.saved || this.supersededOnDisk(index)) return;
    // Written, and what it replaces removed, outside the lock (seconds for millions of clips, while
    // other writers go on adding clips); only the commit, three renames, holds it.
    const pending = writeGeneration(this.dir, index);
    let stale: string[] | undefined;
    try {
      this.parts.writeLock(() => {
        if (!this.supersededOnDisk(index)) stale = commitGeneration(pending);
      });
    } finally {
      if (!stale) discardGeneration(pending);
    }
    for (const file of stale ?? []) removeQuietly(file);
    this.saved = index.maxLabel;
    this.seen = { name: pending.meta.graphFile, maxClipId: index.maxLabel };
  }

  /** Another writer saved as much as this index holds, or more, since this process last looked. */
  private supersededOnDisk(index: VectorIndex): boolean {
    const onDisk = savedGeneration(this.dir);
    const newer = onDisk !== null && onDisk.name !== this.seen?.name && onDisk.maxClipId >= index.maxLabel;
    if (newer) this.saved = index.maxLabel;
    return newer;
  }

  /** Adds the committed clips the index lacks: runs of other writers' ids among its own. */
  private catchUp(): void {
    const index = this.index!;
    const ids = this.parts.clips.idsAfter(this.complete);
    for (let i = 0; i < ids.length; ) {
      if (index.has(ids[i]!)) {
        i++;
        continue;
      }
      let end = i;
      while (end + 1 < ids.length && !index.has(ids[end + 1]!)) end++;
      // Bounded by ids already committed: rows committed meanwhile have higher ids and wait for the next catch-up.
      for (const { id, indicator, position } of this.parts.clips.indexRows(ids[i]!, ids[end]!)) index.add(id, indicator, position);
      i = end + 1;
    }
    if (ids.length > 0) this.complete = ids[ids.length - 1]!;
  }
}
