/**
 * The store's keyframe files, `thumbs/<videoId>/<index>.jpg`. Their paths are kept relative to
 * the store, so that a store can be moved as a whole.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFolder, replaceFile, uniqueTag } from './files.js';

const THUMBS_DIR = 'thumbs';
/** What `folder` and `write` name, and nothing else: a store's rows never make vidmem remove a file outside its keyframes. */
const KEYFRAME_PATH = new RegExp(`^${THUMBS_DIR}/\\d+(?:/\\d+\\.jpg)?$`);

export class Thumbnails {
  constructor(private readonly storeDir: string) {}

  /** Returns the path relative to the store; a leftover from a crashed attempt is overwritten. */
  write(videoId: number, clipIndex: number, jpeg: Uint8Array): string {
    const rel = `${THUMBS_DIR}/${videoId}/${clipIndex}.jpg`;
    const file = join(this.storeDir, rel);
    ensureFolder(join(this.storeDir, THUMBS_DIR, String(videoId)));
    // Not flushed to the disk: a keyframe lost to a power cut costs a picture, and a sync per clip
    // would slow every ingest. A temporary name of its own: two processes resuming one video at
    // once may both get here for the same clip.
    replaceFile(file, `${file}.${uniqueTag()}.tmp`, jpeg, false);
    return rel;
  }

  /** A video's folder of keyframes, relative to the store. */
  folder(videoId: number): string {
    return `${THUMBS_DIR}/${videoId}`;
  }

  /** Removes a keyframe or a video's folder of them, relative to the store; one already gone is no error. */
  remove(relative: string): void {
    if (KEYFRAME_PATH.test(relative)) rmSync(join(this.storeDir, relative), { recursive: true, force: true });
  }

  /** The absolute path of a stored thumbnail. */
  path(relative: string | null): string | null {
    return relative === null ? null : join(this.storeDir, relative);
  }
}
