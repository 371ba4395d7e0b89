/**
 * Retention of live recordings on real files: the oldest go first, each source's newest (the one
 * ffmpeg may be writing) always stays, and age and size budgets both hold, for all sources
 * together and for a source that has its own.
 */
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Recordings } from '../storage/recordings.js';
import { tempDir } from './helpers/cli.js';

const NOW = 1_800_000_000;

/** Source `id` has a 1000-byte file a minute from `first`, the last written `minutes` minutes on. */
function record(store: string, id: number, first: number, minutes: number): string[] {
  const folder = join(store, 'recordings', String(id));
  mkdirSync(folder, { recursive: true });
  return Array.from({ length: minutes }, (_, i) => {
    const file = join(folder, `${first + 60 * i}.ts`);
    writeFileSync(file, Buffer.alloc(1000));
    utimesSync(file, first + 60 * (i + 1), first + 60 * (i + 1));
    return file;
  });
}

describe('recordings', () => {
  it("name a source's newest file, by the second it began, which is what tells a watch to prune", () => {
    const store = tempDir('vidmem-recordings-');
    const recordings = new Recordings(store);
    expect(recordings.newest(1)).toBeNull();
    record(store, 1, NOW - 600, 3);
    writeFileSync(join(store, 'recordings', '1', 'notes.txt'), '');
    expect(recordings.newest(1)).toBe(`${NOW - 480}.ts`);
    record(store, 1, NOW - 420, 1);
    expect(recordings.newest(1)).toBe(`${NOW - 420}.ts`);
  });

  it('are pruned oldest first to the size budget, across sources, keeping each newest file', () => {
    const store = tempDir('vidmem-recordings-');
    const a = record(store, 1, NOW - 600, 5);
    const b = record(store, 2, NOW - 300, 2);
    const recordings = new Recordings(store);
    expect(recordings.prune({ maxBytes: 3500 }, NOW)).toEqual({ files: 4, bytes: 4000 });
    // Left: the newest of each source and the one after a's oldest that fit.
    expect([...a, ...b].filter((f) => existsSync(f))).toEqual([a[4], b[0], b[1]]);
    expect(recordings.prune({ maxBytes: 1 }, NOW)).toEqual({ files: 1, bytes: 1000 });
    expect(readdirSync(join(store, 'recordings', '1'))).toEqual([`${NOW - 600 + 240}.ts`]);
    expect(readdirSync(join(store, 'recordings', '2'))).toEqual([`${NOW - 300 + 60}.ts`]);
  });

  it('are pruned by age, and a cut finds the files that cover a time', () => {
    const store = tempDir('vidmem-recordings-');
    const files = record(store, 7, NOW - 3600, 10);
    const recordings = new Recordings(store);
    expect(recordings.covering(7, NOW - 3600 + 90, NOW - 3600 + 150).map((f) => f.path)).toEqual([files[1], files[2]]);
    // Kept for 55 minutes: the first four files ended before that.
    expect(recordings.prune({ retainSeconds: 55 * 60 }, NOW)).toEqual({ files: 4, bytes: 4000 });
    expect(files.filter((f) => existsSync(f))).toEqual(files.slice(4));
    expect(recordings.prune({ retainSeconds: 55 * 60 }, NOW)).toEqual({ files: 0, bytes: 0 });
    // However old, the newest file stays: ffmpeg may be writing it.
    expect(recordings.prune({ retainSeconds: 1 }, NOW)).toEqual({ files: 5, bytes: 5000 });
    expect(files.filter((f) => existsSync(f))).toEqual([files[9]]);
  });

  it("keep a source with a budget of its own under it, and within the total, while another keeps more", () => {
    const store = tempDir('vidmem-recordings-');
    const door = record(store, 1, NOW - 600, 10);
    const yard = record(store, 2, NOW - 600, 10);
    const recordings = new Recordings(store);
    const own = new Map([[1, { maxBytes: 3000 }]]);
    expect(recordings.prune({ maxBytes: 15_000, sources: own }, NOW)).toEqual({ files: 7, bytes: 7000 });
    // The door's newest three; the yard's ten fit the total with them.
    expect(door.filter((f) => existsSync(f))).toEqual(door.slice(7));
    expect(yard.filter((f) => existsSync(f))).toEqual(yard);
    // The total still holds for both: the yard's oldest go first, being the oldest left.
    expect(recordings.prune({ maxBytes: 9000, sources: own }, NOW)).toEqual({ files: 4, bytes: 4000 });
    expect(yard.filter((f) => existsSync(f))).toEqual(yard.slice(4));
    // A source's own age replaces the one for all: the yard's files are kept an hour, source 3's for 3 minutes.
    const door2 = record(store, 3, NOW - 600, 10);
    expect(recordings.prune({ retainSeconds: 3600, sources: new Map([[3, { retainSeconds: 180 }]]) }, NOW)).toEqual({ files: 6, bytes: 6000 });
    expect(door2.filter((f) => existsSync(f))).toEqual(door2.slice(6));
    expect(yard.filter((f) => existsSync(f))).toEqual(yard.slice(4));
  });
});
