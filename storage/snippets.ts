/**
 * The store's event snippets, `snippets/<eventId>.mp4`: playable cuts of a live source's
 * recording around an event, kept with it, since recordings are pruned as they age and the log
 * of what happened is not. Like snapshots, they outlive the clips they show.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFolder, removeQuietly, uniqueTag } from './files.js';

const SNIPPETS_DIR = 'snippets';

export class Snippets {
  constructor(private readonly storeDir: string) {}

  /**
   * Has `cut` write the event's snippet to a temporary file, then gives it its name: a snippet is
   * there whole or not at all. Returns its path relative to the store.
   */
  async write(eventId: number, cut: (file: string) => Promise<void>): Promise<string> {
    const rel = `${SNIPPETS_DIR}/${eventId}.mp4`;
    const file = join(this.storeDir, rel);
    ensureFolder(join(this.storeDir, SNIPPETS_DIR));
    const temporary = `${file}.${uniqueTag()}.tmp.mp4`;
    try {
      await cut(temporary);
      renameSync(temporary, file);
    } finally {
      removeQuietly(temporary);
    }
    return rel;
  }

  /** The absolute path of a stored snippet. */
  path(relative: string | null): string | null {
    return relative === null ? null : join(this.storeDir, relative);
  }
}
