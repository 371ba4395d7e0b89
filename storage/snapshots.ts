/**
 * The store's event snapshots, `snapshots/<clipId>-<ruleId>.jpg`, beside its keyframes: one per
 * event at most, since a rule raises at most one event on a clip. They belong to the events, the
 * log of what happened, and so outlive the clips and keyframes that retention prunes.
 */
import { join } from 'node:path';
import { ensureFolder, replaceFile, uniqueTag } from './files.js';

const SNAPSHOTS_DIR = 'snapshots';

export class Snapshots {
  constructor(private readonly storeDir: string) {}

  /** Written before the event's row: a kill in between leaves a file that no event names, which harms nothing. Returns the path relative to the store. */
  write(clipId: number, ruleId: number, jpeg: Uint8Array): string {
    const rel = `${SNAPSHOTS_DIR}/${clipId}-${ruleId}.jpg`;
    const file = join(this.storeDir, rel);
    ensureFolder(join(this.storeDir, SNAPSHOTS_DIR));
    replaceFile(file, `${file}.${uniqueTag()}.tmp`, jpeg, false);
    return rel;
  }

  /** The absolute path of a stored snapshot. */
  path(relative: string | null): string | null {
    return relative === null ? null : join(this.storeDir, relative);
  }
}
