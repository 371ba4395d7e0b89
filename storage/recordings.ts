/**
 * A live source's stream as it was sent, `recordings/<sourceId>/<utc-seconds>.ts`: segment files
 * ffmpeg writes beside the frames it decodes, copied without re-encoding and named by the UTC
 * second each began. MPEG-TS, so that a file cut short by a crash still plays up to where it ends.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ensureFolder, removeQuietly } from './files.js';

const RECORDINGS_DIR = 'recordings';
const NAME = /^(\d+)\.ts$/;
/** What `folder` names, and nothing else: a row never makes vidmem remove a file outside its recordings. */
const FOLDER = new RegExp(`^${RECORDINGS_DIR}/\\d+$`);

export interface RecordingFile {
  readonly path: string;
  /** UTC seconds of its first packet, and of its last (the next file's start, or its last write). */
  readonly start: number;
  readonly end: number;
}

/** How much of one source's recordings to keep: none older than `retainSeconds`, at most `maxBytes`. */
export interface SourceBudget {
  readonly retainSeconds?: number;
  readonly maxBytes?: number;
}

/**
 * How much of the recordings to keep: none older than `retainSeconds`, at most `maxBytes` of all
 * sources together; a source in `sources` (by id) has its own age instead, and its own size cap
 * within the total.
 */
export interface RecordingBudget extends SourceBudget {
  readonly sources?: ReadonlyMap<number, SourceBudget>;
}

export class Recordings {
  constructor(private readonly storeDir: string) {}

  /** The folder ffmpeg writes a source's segments into, made if missing; `%s` in the pattern is ffmpeg's UTC seconds. */
  pattern(sourceId: number): string {
    const folder = join(this.storeDir, RECORDINGS_DIR, String(sourceId));
    ensureFolder(folder);
    return join(folder, '%s.ts');
  }

  /** A source's folder of recordings, relative to the store. */
  folder(sourceId: number): string {
    return `${RECORDINGS_DIR}/${sourceId}`;
  }

  /** Removes a source's folder of recordings, relative to the store; false for a path that is not one, which is left alone. */
  remove(relative: string): boolean {
    if (!FOLDER.test(relative)) return false;
    rmSync(join(this.storeDir, relative), { recursive: true, force: true });
    return true;
  }

  /** The name of the source's newest file (by the UTC second it began); null before its first. */
  newest(sourceId: number): string | null {
    const last = this.starts(sourceId).at(-1);
    return last ? basename(last.path) : null;
  }

  /** The source's files that share some time with from–to, in order. */
  covering(sourceId: number, from: number, to: number): RecordingFile[] {
    return this.files(sourceId)
      .filter((file) => file.end > from && file.start < to)
      .map(({ path, start, end }) => ({ path, start, end }));
  }

  /** Every file of the source, in order, with its size: one stat each. */
  private files(sourceId: number): Array<RecordingFile & { readonly bytes: number }> {
    const starts = this.starts(sourceId);
    // A file ends where the next begins, or earlier when the stream dropped in between: at its last write.
    return starts.map((file, i) => {
      const { mtimeMs, size } = statSync(file.path);
      return { ...file, end: Math.min(starts[i + 1]?.start ?? Infinity, mtimeMs / 1000), bytes: size };
    });
  }

  /**
   * Removes recordings, oldest first, until they fit the budget: first each source's own (its age,
   * its cap), then the total, so that one source over its cap is not paid for by another's
   * files. Each source's newest file, which ffmpeg may be writing, stays. Files are the only
   * record of a recording, so a crash in between leaves nothing dangling. Returns what was removed.
   */
  prune(budget: RecordingBudget, now: number): { files: number; bytes: number } {
    const all = this.all().sort((a, b) => a.start - b.start);
    const latest = new Map<number, (typeof all)[number]>();
    const held = new Map<number, number>();
    for (const file of all) {
      latest.set(file.sourceId, file);
      held.set(file.sourceId, (held.get(file.sourceId) ?? 0) + file.bytes);
    }
    // Each source's newest, and once removed, a file is passed over.
    const passed = new Set([...latest.values()].map((f) => f.path));
    let total = all.reduce((n, f) => n + f.bytes, 0);
    const removed = { files: 0, bytes: 0 };
    const ownLimits = (file: (typeof all)[number]) => {
      const own = budget.sources?.get(file.sourceId);
      const retainSeconds = own?.retainSeconds ?? budget.retainSeconds;
      return (retainSeconds !== undefined && file.end < now - retainSeconds) || (own?.maxBytes !== undefined && held.get(file.sourceId)! > own.maxBytes);
    };
    const totalLimit = () => budget.maxBytes !== undefined && total > budget.maxBytes;
    for (const over of [ownLimits, totalLimit]) {
      for (const file of all) {
        if (passed.has(file.path) || !over(file)) continue;
        removeQuietly(file.path);
        passed.add(file.path);
        total -= file.bytes;
        held.set(file.sourceId, held.get(file.sourceId)! - file.bytes);
        removed.files += 1;
        removed.bytes += file.bytes;
      }
    }
    return removed;
  }

  /** The source's files by the UTC second each began, in order, from one readdir: no stat. */
  private starts(sourceId: number): Array<{ readonly path: string; readonly start: number }> {
    const folder = join(this.storeDir, RECORDINGS_DIR, String(sourceId));
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return [];
    }
    const starts = names.flatMap((name) => {
      const match = NAME.exec(name);
      return match ? [{ path: join(folder, name), start: Number(match[1]) }] : [];
    });
    return starts.sort((a, b) => a.start - b.start);
  }

  private all(): Array<{ sourceId: number; path: string; start: number; end: number; bytes: number }> {
    const root = join(this.storeDir, RECORDINGS_DIR);
    let folders: string[];
    try {
      folders = readdirSync(root);
    } catch {
      return [];
    }
    return folders.flatMap((folder) => {
      const sourceId = Number(folder);
      if (!Number.isInteger(sourceId)) return [];
      return this.files(sourceId).map((file) => ({ ...file, sourceId }));
    });
  }
}
