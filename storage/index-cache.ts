/**
 * The index's lifecycle: the persisted HNSW index is loaded on first use, trusted only if it
 * agrees with SQLite on the clips it claims to hold, caught up with the clips committed after it
 * was saved (a crash before the flush), rebuilt from SQLite when it cannot be trusted, and saved
 * again when it holds clips the files on disk lack.
 */
import { join } from 'node:path';
import type { ClipPosition } from '../src/core/clips.js';
import type { ClipsRepository } from './repositories/clips.js';
import type { ModelsRepository } from './repositories/models.js';
import { VectorIndex } from './vector-index.js';

const INDEX_DIR = 'index';

export class IndexCache {
  /** Loaded on first use: listing videos should not pay for reading or rebuilding the index. */
  private index: VectorIndex | undefined;
  /** The in-memory index holds clips the persisted one lacks. */
  private dirty = false;

  constructor(
    private readonly storeDir: string,
    private readonly models: ModelsRepository,
    private readonly clips: ClipsRepository,
    private readonly readonly: boolean,
  ) {}

  /** The index, loaded or rebuilt; null while the store has no model. */
  get(): VectorIndex | null {
    if (this.index) return this.index;
    const model = this.models.get();
    if (!model) return null;
    const loaded = VectorIndex.load(join(this.storeDir, INDEX_DIR), model);
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

  /** A clip just committed to SQLite; call `get()` before the commit so its catch-up does not add it twice. */
  add(clipId: number, indicator: Float32Array, position: ClipPosition): void {
    this.get()!.add(clipId, indicator, position);
    this.dirty = true;
  }

  /** Persists the index if it holds anything the files on disk lack. */
  flush(): void {
    if (this.readonly || !this.dirty || !this.index) return;
    this.index.save(join(this.storeDir, INDEX_DIR));
    this.dirty = false;
  }
}
