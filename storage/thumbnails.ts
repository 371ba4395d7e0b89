/**
 * The store's keyframe files, `thumbs/<videoId>/<index>.jpg`. Their paths are kept relative to
 * the store, so that a store can be moved as a whole.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const THUMBS_DIR = 'thumbs';

export class Thumbnails {
  constructor(private readonly storeDir: string) {}

  /** Returns the path relative to the store; a leftover from a crashed attempt is overwritten. */
  write(videoId: number, clipIndex: number, jpeg: Uint8Array): string {
    const rel = `${THUMBS_DIR}/${videoId}/${clipIndex}.jpg`;
    const file = join(this.storeDir, rel);
    mkdirSync(join(this.storeDir, THUMBS_DIR, String(videoId)), { recursive: true });
    writeFileSync(`${file}.tmp`, jpeg);
    renameSync(`${file}.tmp`, file);
    return rel;
  }

  /** The absolute path of a stored thumbnail. */
  path(relative: string | null): string | null {
    return relative === null ? null : join(this.storeDir, relative);
  }
}
