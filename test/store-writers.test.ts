/**
 * Several processes writing one store at once (cameras watched live into one store, two ingests
 * started together) while others read it: every writer succeeds, readers never see an index mixed
 * from two saves, and the index left on disk is trusted as it is.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem, type CliResult } from './helpers/cli.js';
import { runStoreScript } from './helpers/store-process.js';

const MODEL = { name: 'palette', dim: 48, fingerprint: 'store-writers-test' };
const tell = `(line) => process.stderr.write(line + '\\n')`;

/** A camera's process: a video of its own, appended a clip at a time, the index flushed every few clips. */
const CAMERA = `
const [dir, name, clips, flushEvery] = process.argv.slice(2);
const unit = () => { const v = Float32Array.from({ length: ${MODEL.dim} }, () => Math.random() - 0.5); const n = Math.hypot(...v); return v.map((x) => x / n); };
const store = MemoryStore.open(dir, { onNotice: ${tell} });
store.bindModel(${JSON.stringify(MODEL)});
const video = store.videos.begin({ path: '/cams/' + name + '.mp4', contentHash: name, durationSec: 4 * clips, fps: 25, width: 640, height: 480, settings: {} });
for (let i = 0; i < Number(clips); i++) {
  store.videos.appendClip(video.id, { index: i, start: 4 * i, end: 4 * i + 4, indicator: unit(), tokens: [], framesEncoded: 4, framesRepeat: 0 });
  if ((i + 1) % Number(flushEvery) === 0) store.flush();
}
store.videos.finish(video.id, 'complete', {});
store.close();
`;

/** A reader: opens the store and loads its index again and again until the stop file appears (and once more at least); prints how often it found clips. */
const READER = `
import { existsSync } from 'node:fs';
const [dir, stop] = process.argv.slice(2);
let loads = 0;
while (!existsSync(stop) || loads === 0) {
  let store;
  try {
    store = MemoryStore.open(dir, { readonly: true, onNotice: ${tell} });
  } catch (err) {
    if (/no store at/.test(err.message)) continue;
    throw err;
  }
  if (store.videos.nearestClips(new Float32Array(${MODEL.dim}).fill(1), { top: 5 }).length > 0) loads++;
  store.close();
}
process.stdout.write(String(loads));
`;

/** The index files agree with SQLite, so that the next open loads them as they are. */
function expectTrustedIndex(dir: string): void {
  const db = new Database(join(dir, 'vidmem.db'), { readonly: true });
  const [count, maxId] = db.prepare('SELECT count(*), max(id) FROM clips').raw().get() as [number, number];
  db.close();
  const meta = JSON.parse(readFileSync(join(dir, 'index', 'indicators.json'), 'utf8'));
  expect(meta).toMatchObject({ version: 3, count, maxClipId: maxId });
  const sha256 = (name: string) => createHash('sha256').update(readFileSync(join(dir, 'index', name))).digest('hex');
  expect(sha256(meta.graphFile)).toBe(meta.sha256);
  expect(sha256(meta.positionsFile)).toBe(meta.positionsSha256);
  // Every writer is gone: what their saves left behind has been removed.
  expect(readdirSync(join(dir, 'index')).sort()).toEqual([meta.graphFile, 'indicators.json', meta.positionsFile].sort());
}

describe('several writers on one store', () => {
  it('cameras appending clips and flushing their index at once all succeed, and readers never rebuild meanwhile', async () => {
    const cameras = 3;
    const clips = 60;
    for (let round = 0; round < 3; round++) {
      // A new store each round: creating it is raced too.
      const dir = join(tempDir(), 'store');
      const stop = `${dir}.stop`;
      const reader = runStoreScript(READER, [dir, stop]);
      const writers = await Promise.all(Array.from({ length: cameras }, (_, n) => runStoreScript(CAMERA, [dir, `cam${n}`, String(clips), '4'])));
      writeFileSync(stop, '');
      const read = await reader;
      for (const writer of writers) expect(writer, `round ${round}`).toMatchObject({ code: 0, stderr: '' });
      expect(read, `round ${round}`).toMatchObject({ code: 0, stderr: '' });
      expect(Number(read.stdout)).toBeGreaterThan(0);

      const db = new Database(join(dir, 'vidmem.db'), { readonly: true });
      expect(db.prepare("SELECT count(*) FROM videos WHERE status = 'complete'").pluck().get()).toBe(cameras);
      expect(db.prepare('SELECT count(*) FROM clips').pluck().get()).toBe(cameras * clips);
      db.close();
      expectTrustedIndex(dir);
    }
  });
});

describe('two ingests at once', () => {
  const COLOURS = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta', 'white', 'black'];
  let dir: string;
  const videos: string[] = [];

  beforeAll(async () => {
    dir = tempDir();
    for (let v = 0; v < 7; v++) {
      const path = join(dir, `v${v}.mp4`);
      await renderSegments(path, Array.from({ length: 6 }, (_, i) => ({ seconds: 4, layout: { full: COLOURS[(i + 3 * v) % COLOURS.length]! } })), { width: 160, height: 120, motion: true });
      videos.push(path);
    }
  });

  it('of different videos into one store both succeed while a search reads it', async () => {
    for (let round = 0; round < 3; round++) {
      const store = join(dir, `store${round}`);
      const args = ['--store', store, '--model', 'palette', '--json'];
      expect((await vidmem(['ingest', videos[0]!, ...args])).code).toBe(0);
      let done = false;
      // Three files each, so that each process saves the index three times.
      const ingests = Promise.all([vidmem(['ingest', ...videos.slice(1, 4), ...args]), vidmem(['ingest', ...videos.slice(4, 7), ...args])]).finally(
        () => (done = true),
      );
      // One search after another for as long as the ingests run.
      const searches: CliResult[] = [];
      while (!done) searches.push(await vidmem(['search', 'red', '--store', store, '--json']));
      const [one, two] = await ingests;
      expect(one, `round ${round}`).toMatchObject({ code: 0, stderr: '' });
      expect(two, `round ${round}`).toMatchObject({ code: 0, stderr: '' });
      for (const search of searches) {
        expect(search, `round ${round}`).toMatchObject({ code: 0, stderr: '' });
        expect(JSON.parse(search.stdout).results.length).toBeGreaterThan(0);
      }
      const listed = JSON.parse((await vidmem(['videos', '--store', store, '--json'])).stdout).videos;
      expect(listed.map((v: { status: string; clips: number }) => `${v.status} ${v.clips}`)).toEqual(Array(7).fill('complete 6'));
      expectTrustedIndex(store);
    }
  });

  it('of the same video store it once, and the one that finds it taken stops with one line', async () => {
    for (let round = 0; round < 3; round++) {
      const store = join(dir, `same${round}`);
      const args = ['--store', store, '--model', 'palette'];
      const results = await Promise.all([vidmem(['ingest', videos[1]!, ...args]), vidmem(['ingest', videos[1]!, ...args])]);
      for (const result of results) {
        if (result.code === 0) expect(result.stderr).toBe('');
        else expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/^vidmem: (video .* is already stored as #1|clip \d+ of video #1 is already stored)[^\n]*\n$/) });
      }
      expect(results.filter((r) => r.code === 0).length).toBeGreaterThan(0);
      const listed = JSON.parse((await vidmem(['videos', '--store', store, '--json'])).stdout).videos;
      expect(listed).toMatchObject([{ id: 1, status: 'complete', clips: 6 }]);
      expectTrustedIndex(store);
    }
  });
});
