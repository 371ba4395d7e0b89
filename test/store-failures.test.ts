/**
 * A store whose disk fills up or whose cache is in the way: a command that did its work does not
 * fail for the cache, the user is told each cause once, and no partial file is left behind.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { MemoryStore } from '../storage/memory-store.js';
import { tempDir, vidmem } from './helpers/cli.js';
import { mountTmpfs, resizeTmpfs, unmount } from './helpers/mounts.js';

const COLOURS = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta', 'white', 'black'];
const MODEL = { name: 'palette', dim: 48, fingerprint: 'store-failures-test' };

let dir: string;
let long: string;
let short: string;

beforeAll(async () => {
  dir = tempDir();
  long = join(dir, 'long.mp4');
  short = join(dir, 'short.mp4');
  await renderSegments(long, Array.from({ length: 60 }, (_, i) => ({ seconds: 4, layout: { full: COLOURS[i % COLOURS.length]! } })), { motion: true });
  await renderSegments(short, [{ seconds: 4, layout: { full: 'red' } }, { seconds: 4, layout: { full: 'blue' } }], { motion: true });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files a failed write could have left: temporary ones, and empty ones. */
function leftovers(store: string): string[] {
  return readdirSync(store, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('vidmem.db'))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => file.endsWith('.tmp') || statSync(file).size === 0);
}

/** Fills the file system of `dir` up to its last `free` bytes. */
function fillDisk(dir: string, free: number): void {
  const { bavail, bsize } = statfsSync(dir);
  writeFileSync(join(dir, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - free)));
}

describe('a full disk', () => {
  it('stops an ingest with one line, leaves no partial file, and the same ingest resumes once there is room', async (ctx) => {
    const disk = join(dir, 'small-disk');
    mkdirSync(disk);
    const failure = mountTmpfs(disk, '512k');
    ctx.skip(failure !== null, `no tmpfs to fill here: ${failure}`);
    try {
      const store = join(disk, 'store');
      const full = await vidmem(['ingest', long, '--store', store, '--model', 'palette']);
      expect(full.code).toBe(1);
      expect(full.stderr).toBe(`vidmem: store ${store}: the disk is full\n`);
      expect(leftovers(store)).toEqual([]);

      resizeTmpfs(disk, '16m');
      const resumed = await vidmem(['ingest', long, '--store', store, '--model', 'palette', '--json']);
      expect(resumed).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(resumed.stdout).resumedAt).toBeGreaterThan(0);
      const videos = JSON.parse((await vidmem(['videos', '--store', store, '--json'])).stdout).videos;
      expect(videos).toMatchObject([{ status: 'complete', clips: 60 }]);
    } finally {
      unmount(disk);
    }
  });

  it('that keeps the index from being saved is told once, fails nothing, and loses no clip', (ctx) => {
    const disk = join(dir, 'index-disk');
    mkdirSync(disk);
    const failure = mountTmpfs(disk, '4m');
    ctx.skip(failure !== null, `no tmpfs to fill here: ${failure}`);
    try {
      const root = join(disk, 'store');
      const notices: string[] = [];
      const store = MemoryStore.open(root, { onNotice: (m) => notices.push(m) });
      store.bindModel(MODEL);
      const video = store.videos.begin({ path: '/cams/a.mp4', contentHash: 'a', durationSec: 800, fps: 25, width: 640, height: 480, settings: {} });
      const indicators = Array.from({ length: 200 }, (_, i) => Float32Array.from({ length: MODEL.dim }, (_, d) => Math.cos(i * 7.3 + d * 1.1)));
      const append = (index: number, thumbnail?: Uint8Array) =>
        store.videos.appendClip(video.id, {
          index, start: index * 4, end: index * 4 + 4, indicator: indicators[index]!, tokens: [], framesEncoded: 4, framesRepeat: 0,
          ...(thumbnail ? { thumbnailJpeg: thumbnail } : {}),
        });
      for (let i = 0; i < 199; i++) append(i);
      fillDisk(disk, 8192);

      store.flush();
      store.flush();
      const told = `store ${root}: the disk is full; the index was not saved, and the next command rebuilds what it lacks from SQLite`;
      expect(notices).toEqual([told]);
      // A full disk that stopped an append was told by its error: the index does not tell it again.
      const other: string[] = [];
      const second = MemoryStore.open(root, { onNotice: (m) => other.push(m) });
      expect(() => second.videos.appendClip(video.id, { index: 199, start: 796, end: 800, indicator: indicators[199]!, tokens: [], framesEncoded: 4, framesRepeat: 0, thumbnailJpeg: new Uint8Array(65536).fill(7) })).toThrow(
        `store ${root}: the disk is full`,
      );
      second.close();
      store.close();
      expect(other).toEqual([]);
      expect(notices).toEqual([told]);
      expect(leftovers(root)).toEqual([]);

      rmSync(join(disk, 'filler'));
      const reopened = MemoryStore.open(root);
      for (let i = 0; i < 199; i++) expect(reopened.videos.nearestClips(indicators[i]!, { top: 1 })[0]).toMatchObject({ videoId: video.id, index: i });
      reopened.close();
    } finally {
      unmount(disk);
    }
  });
});

describe('a cache in the way', () => {
  it('an index path that is a file does not fail the ingest that stored its video', async () => {
    const store = join(dir, 'in-the-way');
    expect((await vidmem(['ingest', short, '--store', store, '--model', 'palette'])).code).toBe(0);
    rmSync(join(store, 'index'), { recursive: true });
    writeFileSync(join(store, 'index'), 'not a folder');

    const ingest = await vidmem(['ingest', long, '--store', store, '--model', 'palette', '--json']);
    expect(ingest.code).toBe(0);
    expect(ingest.stderr).toBe(
      `vidmem: ${join(store, 'index')} is a file where vidmem keeps a folder; move it away; the index was not saved, and the next command rebuilds what it lacks from SQLite\n`,
    );
    expect(JSON.parse(ingest.stdout)).toMatchObject({ videoId: 2, clips: 60 });
    const search = await vidmem(['search', 'green', '--store', store, '--video', '2', '--json']);
    expect(search).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(search.stdout).results[0]).toMatchObject({ videoId: 2, start: 4, end: 8 });
    // What is in the way is the user's to move: it is left as it is.
    expect(readFileSync(join(store, 'index'), 'utf8')).toBe('not a folder');
  });
});
