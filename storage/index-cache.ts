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
 *
 * Clips are also removed (see removals.ts), by any process. Each removal moves the store's
 * removals counter on, and every index, in memory or saved, records the count it has seen: one
 * that is behind drops the clips SQLite no longer has (one pass over the clip ids) and is then
 * checked as before, so a removal costs neither a rebuild nor a stale answer.
 */
import { join } from 'node:path';
import type { ClipPosition } from '../src/core/clips.js';
import { removeQuietly } from './files.js';
import { commitGeneration, discardGeneration, loadIndex, savedGeneration, writeGeneration, type Generation } from './index-files.js';
import type { ClipsRepository } from './repositories/clips.js';
import type { ModelsRepository } from './repositories/models.js';
import type { RemovalsRepository } from './repositories/removals.js';
import type { StoreFailures } from './store-errors.js';
import { VectorIndex } from './vector-index.js';

const INDEX_DIR = 'index';

export interface IndexCacheParts {
  readonly storeDir: string;
  readonly models: ModelsRepository;
  readonly clips: ClipsRepository;
  readonly removals: RemovalsRepository;
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
  /** The removals the in-memory index has dropped, and those the files on disk have, by the store's counter. */
  private removalsDropped = 0;
  private removalsSaved = 0;

  constructor(private readonly parts: IndexCacheParts) {}

  /** The index, loaded or rebuilt; null while the store has no model. */
  get(): VectorIndex | null {
    if (this.index) {
      this.dropRemoved(this.index);
      return this.index;
    }
    const model = this.parts.models.get();
    if (!model) return null;
    // Counted before any clip is read: a removal committed meanwhile is then dropped by the next call.
    const removals = this.parts.removals.count();
    const { index: loaded, found } = loadIndex(this.dir, model);
    if (loaded && found) {
      this.removalsDropped = this.removalsSaved = found.removals;
      this.dropRemoved(loaded);
    }
    const trusted = loaded && this.parts.clips.countUpTo(loaded.maxLabel) === loaded.count ? loaded : null;
    this.index = trusted ?? VectorIndex.create(model);
    this.complete = this.saved = trusted?.maxLabel ?? 0;
    if (!trusted) this.removalsDropped = removals;
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

  /**
   * Clips this process just removed from SQLite, in the removal that moved the counter to
   * `removals`. Call `get` before the removal, so that the index is there to drop them from.
   */
  removed(clipIds: readonly number[], removals: number): void {
    if (!this.index) return;
    for (const id of clipIds) this.index.remove(id);
    // Only when no other process removed clips since this one last looked: those the next `get` drops.
    if (removals === this.removalsDropped + 1) this.removalsDropped = removals;
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
    this.dropRemoved(index);
    this.catchUp();
    const unsaved = index.maxLabel > this.saved || this.removalsDropped > this.removalsSaved;
    if (!unsaved || this.supersededOnDisk(index)) return;
    // Written, and what it replaces removed, outside the lock (seconds for millions of clips, while
    // other writers go on adding clips); only the commit, three renames, holds it.
    const pending = writeGeneration(this.dir, index, this.removalsDropped);
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
    this.removalsSaved = this.removalsDropped;
    this.seen = { name: pending.meta.graphFile, maxClipId: index.maxLabel, removals: this.removalsDropped };
  }

  /** Another writer saved as much as this index holds, or more, since this process last looked. */
  private supersededOnDisk(index: VectorIndex): boolean {
    const onDisk = savedGeneration(this.dir);
    const newer = onDisk !== null && onDisk.name !== this.seen?.name && onDisk.maxClipId >= index.maxLabel && onDisk.removals >= this.removalsDropped;
    if (newer) {
      this.saved = index.maxLabel;
      this.removalsSaved = this.removalsDropped;
    }
    return newer;
  }

  /** Drops the clips other processes removed since this index last looked. */
  private dropRemoved(index: VectorIndex): void {
    const removals = this.parts.removals.count();
    if (removals === this.removalsDropped) return;
    // The counter is read before the ids: a removal committed in between is dropped next time, never missed.
    index.keepOnly(this.parts.clips.idsUpTo(index.maxLabel));
    this.removalsDropped = removals;
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
