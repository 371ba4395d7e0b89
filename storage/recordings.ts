/**
 * A live source's stream as it was sent, `recordings/<sourceId>/<utc-seconds>.ts`: segment files
 * ffmpeg writes beside the frames it decodes, copied without re-encoding and named by the UTC
 * second each began. MPEG-TS, so that a file cut short by a crash still plays up to where it ends.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFolder } from './files.js';

const RECORDINGS_DIR = 'recordings';
const NAME = /^(\d+)\.ts$/;

export interface RecordingFile {
  readonly path: string;
  /** UTC seconds of its first packet, and of its last (the next file's start, or its last write). */
  readonly start: number;
  readonly end: number;
}

export class Recordings {
  constructor(private readonly storeDir: string) {}

  /** The folder ffmpeg writes a source's segments into, made if missing; `%s` in the pattern is ffmpeg's UTC seconds. */
  pattern(sourceId: number): string {
    const folder = join(this.storeDir, RECORDINGS_DIR, String(sourceId));
    ensureFolder(folder);
    return join(folder, '%s.ts');
  }

  /** The source's files that share some time with from–to, in order. */
  covering(sourceId: number, from: number, to: number): RecordingFile[] {
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
    starts.sort((a, b) => a.start - b.start);
    // A file ends where the next begins, or earlier when the stream dropped in between: at its last write.
    const files = starts.map((file, i) => ({ ...file, end: Math.min(starts[i + 1]?.start ?? Infinity, statSync(file.path).mtimeMs / 1000) }));
    return files.filter((file) => file.end > from && file.start < to);
  }
}
