import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryToken } from '../src/core/clips.js';
import type { ModelIdentity } from '../src/core/model-identity.js';
import { seededRandom } from '../src/core/seeded-random.js';
import { MemoryStore, ModelMismatchError, StoreError, type NewClipInput } from '../storage/memory-store.js';
import { vidmem } from './helpers/cli.js';
import { spawnStoreScript } from './helpers/store-process.js';

const MODEL: ModelIdentity = { name: 'palette', dim: 48, fingerprint: '9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c' };
const K = 4;

function unit(random: () => number, dim = MODEL.dim): Float32Array {
  const v = Float32Array.from({ length: dim }, () => random() * 2 - 1);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** `v` nudged a little: a query that should still find `v` first. */
function near(v: Float32Array, random: () => number): Float32Array {
  return v.map((x) => x + (random() - 0.5) * 0.05);
}

function clip(index: number, indicator: Float32Array, random: () => number, thumbnail = true): NewClipInput {
  const start = index * 4;
  const tokens: MemoryToken[] = Array.from({ length: K }, (_, k) => ({
    vector: unit(random),
    start: start + k * 0.5,
    end: start + k * 0.5 + 2,
    weight: 1 + k,
  }));
  return {
    index,
    start,
    end: start + 4,
    indicator,
    tokens,
    framesEncoded: 8,
    framesRepeat: index % 3,
    ...(thumbnail ? { thumbnailJpeg: Uint8Array.from([0xff, 0xd8, 0xff, index, 0xff, 0xd9]) } : {}),
  };
}

const videoInput = (name: string) => ({
  path: `/media/${name}.mp4`,
  contentHash: createHash('sha256').update(name).digest('hex'),
  durationSec: 600,
  fps: 30,
  width: 1280,
  height: 720,
  settings: { sampleFps: 2, clipSeconds: 4, k: K },
});

/** A store with two videos of `perVideo` clips each; returns the indicators by clip id. */
function fill(dir: string, perVideo: number, seed = 1): { store: MemoryStore; indicators: Map<number, Float32Array>; videos: number[] } {
  const random = seededRandom(seed);
  const store = MemoryStore.open(dir);
  store.bindModel(MODEL);
  const indicators = new Map<number, Float32Array>();
  const videos: number[] = [];
  for (const name of ['lecture', 'camera']) {
    const video = store.videos.begin(videoInput(name));
    videos.push(video.id);
    for (let i = 0; i < perVideo; i++) {
      const indicator = unit(random);
      indicators.set(store.videos.appendClip(video.id, clip(i, indicator, random)), indicator);
    }
  }
  return { store, indicators, videos };
}

/**
 * Every file with its mtime and hash, leaving out the -shm and empty -wal that SQLite creates
 * for any reader of a WAL database: coordination files, not content.
 */
function treeState(dir: string): Record<string, string> {
  const state: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    if (file.endsWith('-shm') || (file.endsWith('-wal') && statSync(file).size === 0)) continue;
    state[file] = `${statSync(file).mtimeMs}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
  }
  return state;
}

/** The nearest clips with where they are and what they look like, as a search hit reads them. */
function search(store: MemoryStore, query: Float32Array, options: { top: number; videoId?: number }) {
  const ranked = store.videos.nearestClips(query, options);
  const clips = store.videos.clipMemories(ranked.map((r) => r.clipId));
  return ranked.map((r) => ({ ...clips.get(r.clipId)!, score: r.score }));
}

/** The newest schema this vidmem writes: the number of its migrations. */
const LATEST_SCHEMA = readdirSync(join(import.meta.dirname, '..', 'storage', 'migrations')).filter((f) => f.endsWith('.sql')).length;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The index's meta and the files of the generation it names. */
function savedIndex(store: string) {
  const meta = JSON.parse(readFileSync(join(store, 'index', 'indicators.json'), 'utf8'));
  return { meta, graph: join(store, 'index', meta.graphFile as string), positions: join(store, 'index', meta.positionsFile as string) };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vidmem-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('MemoryStore contents', () => {
  it('round-trips videos, clips, memory tokens and thumbnails', () => {
    const store = MemoryStore.open(join(dir, 'store'));
    expect(store.model()).toBeNull();
    store.bindModel(MODEL);
    expect(store.model()).toEqual(MODEL);

    const video = store.videos.begin(videoInput('lecture'));
    expect(video).toMatchObject({ path: '/media/lecture.mp4', status: 'ingesting', fps: 30, width: 1280, height: 720, stats: null });
    expect(video.settings).toEqual({ sampleFps: 2, clipSeconds: 4, k: K });

    const random = seededRandom(7);
    const inputs = [0, 1, 2].map((i) => clip(i, unit(random), random, i !== 1));
    const ids = inputs.map((c) => store.videos.appendClip(video.id, c));

    const last = store.videos.lastClip(video.id)!;
    expect(last).toMatchObject({ index: 2, start: 8, end: 12 });
    expect(last.tokens).toEqual(inputs[2]!.tokens);

    store.videos.finish(video.id, 'complete', { clips: 3, framesEncoded: 24 });
    store.close();

    const reopened = MemoryStore.open(join(dir, 'store'), { create: false });
    expect(reopened.videos.findByHash(video.contentHash)).toMatchObject({ id: video.id, status: 'complete', stats: { clips: 3, framesEncoded: 24 } });
    expect(reopened.videos.get(video.id)!.settings).toEqual(video.settings);
    expect(reopened.videos.get(999)).toBeUndefined();
    expect(reopened.videos.clipsOf(video.id)).toEqual(ids.map((clipId, i) => ({ clipId, videoId: video.id, index: i, start: i * 4, end: i * 4 + 4 })));
    ids.forEach((id, i) => {
      const memory = reopened.videos.clipMemories([id]).get(id)!;
      expect(memory.indicator).toEqual(inputs[i]!.indicator);
      expect(memory.tokens).toEqual(inputs[i]!.tokens);
    });
    expect(reopened.videos.clipMemories([999]).get(999)).toBeUndefined();

    const [listed] = reopened.videos.list();
    expect(listed).toMatchObject({ id: video.id, path: video.path, durationSec: 600, clips: 3, status: 'complete' });
    expect(Date.parse(listed!.createdAt)).not.toBeNaN();

    const hits = search(reopened, inputs[0]!.indicator, { top: 3 });
    expect(hits[0]!.thumbnail).toBe(join(dir, 'store', 'thumbs', String(video.id), '0.jpg'));
    expect(readFileSync(hits[0]!.thumbnail!)).toEqual(Buffer.from(inputs[0]!.thumbnailJpeg!));
    expect(hits.find((h) => h.index === 1)!.thumbnail).toBeNull();
    reopened.close();
  });

  it('ranks the matching clip first and filters by video', () => {
    const { store, indicators, videos } = fill(dir, 30);
    const random = seededRandom(99);
    for (const [id, indicator] of indicators) {
      const [best] = search(store, near(indicator, random), { top: 5 });
      expect(best!.clipId).toBe(id);
      expect(best!.score).toBeGreaterThan(0.95);
    }

    const [lectureId, cameraId] = videos as [number, number];
    const lectureClip = store.videos.clipsOf(lectureId)[7]!;
    const query = indicators.get(lectureClip.clipId)!;
    const all = search(store, query, { top: 10 });
    expect(all[0]).toMatchObject({ clipId: lectureClip.clipId, videoId: lectureId, videoPath: '/media/lecture.mp4', index: 7, start: 28, end: 32 });
    expect(all[0]!.score).toBeCloseTo(1, 5);
    expect(all.map((h) => h.score)).toEqual([...all.map((h) => h.score)].sort((a, b) => b - a));

    const onlyCamera = search(store, query, { top: 10, videoId: cameraId });
    expect(onlyCamera).toHaveLength(10);
    expect(onlyCamera.every((h) => h.videoId === cameraId)).toBe(true);
    const cameraIds = new Set(store.videos.clipsOf(cameraId).map((c) => c.clipId));
    const exact = [...indicators]
      .filter(([id]) => cameraIds.has(id))
      .map(([id, v]) => ({ id, score: v.reduce((s, x, i) => s + x * query[i]!, 0) }))
      .sort((a, b) => b.score - a.score);
    // A video this short is scored clip by clip: the exact ranking, not an approximation of it.
    expect(onlyCamera.map((h) => h.clipId)).toEqual(exact.slice(0, 10).map((e) => e.id));
    onlyCamera.forEach((h, i) => expect(h.score).toBeCloseTo(exact[i]!.score, 5));

    expect(search(store, query, { top: 100, videoId: cameraId })).toHaveLength(30);
    expect(search(store, query, { top: 5, videoId: 12345 })).toEqual([]);
    expect(search(store, new Float32Array(MODEL.dim), { top: 5 })).toEqual([]);
    expect(() => search(store, new Float32Array(512), { top: 5 })).toThrow(StoreError);
    store.close();
  });

  it('searches a video too long to score clip by clip through the index, filtered to that video', () => {
    const random = seededRandom(21);
    const store = MemoryStore.open(dir);
    store.bindModel(MODEL);
    const short = store.videos.begin(videoInput('short'));
    const shortClips = Array.from({ length: 5 }, (_, i) => {
      const indicator = unit(random);
      return { id: store.videos.appendClip(short.id, { ...clip(i, indicator, random, false), tokens: [] }), indicator };
    });
    // One more clip than the store scores exactly (EXACT_SEARCH_MAX_CLIPS).
    const long = store.videos.begin(videoInput('long'));
    const longClips = Array.from({ length: 10_001 }, (_, i) => {
      const indicator = unit(random);
      return { id: store.videos.appendClip(long.id, { ...clip(i, indicator, random, false), tokens: [] }), indicator };
    });
    for (const target of [longClips[0]!, longClips[5_000]!, longClips.at(-1)!]) {
      const hits = search(store, near(target.indicator, random), { top: 20, videoId: long.id });
      expect(hits[0]!.clipId).toBe(target.id);
      expect(hits).toHaveLength(20);
      expect(hits.every((h) => h.videoId === long.id)).toBe(true);
    }
    // A clip of the other video, however close, is not an answer about this one.
    const hits = search(store, shortClips[2]!.indicator, { top: 20, videoId: long.id });
    expect(hits.some((h) => h.clipId === shortClips[2]!.id)).toBe(false);
    store.close();
  });

  it('searches an empty store without error', () => {
    const store = MemoryStore.open(dir);
    expect(search(store, unit(seededRandom(1)), { top: 5 })).toEqual([]);
    store.bindModel(MODEL);
    expect(search(store, unit(seededRandom(1)), { top: 5 })).toEqual([]);
    store.close();
  });

  it('refuses a second model with a message naming both', () => {
    const { store } = fill(dir, 3);
    store.close();

    const other = MemoryStore.open(dir);
    const foo: ModelIdentity = { name: 'foo', dim: 512, fingerprint: 'abc' };
    expect(() => other.bindModel(foo)).toThrow(ModelMismatchError);
    expect(() => other.bindModel(foo)).toThrow(
      `store ${dir} holds vectors from model 'palette' (48-d); refusing model 'foo' (512-d). Use --model palette, or another --store.`,
    );
    const reweighted = { ...MODEL, fingerprint: '0123456789abcdef0123' };
    expect(() => other.bindModel(reweighted)).toThrow(/refusing model 'palette' \(48-d\) with other weights \(fingerprint 0123456789ab…, stored 9f2c4e6a8b0d…\)/);
    other.bindModel(MODEL);
    expect(other.model()).toEqual(MODEL);
    expect(other.videos.list().map((v) => v.clips)).toEqual([3, 3]);
    other.close();
  });

  it('refuses bad clips before writing anything', () => {
    const store = MemoryStore.open(dir);
    store.bindModel(MODEL);
    const video = store.videos.begin(videoInput('lecture'));
    const random = seededRandom(3);
    const good = clip(0, unit(random), random);
    store.videos.appendClip(video.id, good);
    const before = treeState(join(dir, 'thumbs'));

    const bad: [string, NewClipInput][] = [
      ['indicator has 512 values', clip(1, unit(random, 512), random)],
      ['not a finite number', clip(1, unit(random).map((x, i) => (i === 3 ? NaN : x)), random)],
      ['token 2 has 47 values', { ...clip(1, unit(random), random), tokens: [...good.tokens.slice(0, 2), { vector: unit(random, 47), start: 0, end: 1, weight: 1 }] }],
      ['bad time span', { ...clip(1, unit(random), random), end: -1 }],
      ['index must be an integer', clip(1.5, unit(random), random)],
      ['already stored', clip(0, unit(random), random)],
    ];
    for (const [message, input] of bad) expect(() => store.videos.appendClip(video.id, input), message).toThrow(message);
    expect(() => store.videos.appendClip(999, clip(1, unit(random), random))).toThrow('has no video #999');
    expect(() => store.videos.begin(videoInput('lecture'))).toThrow(/already stored as #1/);
    expect(() => store.videos.begin({ ...videoInput('x'), durationSec: NaN })).toThrow('durationSec must be a finite number');

    expect(treeState(join(dir, 'thumbs'))).toEqual(before);
    expect(store.videos.clipsOf(video.id)).toHaveLength(1);
    expect(store.videos.clipMemories([store.videos.clipsOf(video.id)[0]!.clipId]).get(store.videos.clipsOf(video.id)[0]!.clipId)!.tokens).toEqual(good.tokens);

    store.videos.finish(video.id, 'complete', {});
    expect(() => store.videos.appendClip(video.id, clip(1, unit(random), random))).toThrow('is complete');
    store.close();
  });
});

describe('MemoryStore index recovery', () => {
  const queries = Array.from({ length: 12 }, (_, i) => unit(seededRandom(1000 + i)));
  const answers = (store: MemoryStore) => queries.map((q) => search(store, q, { top: 8 }));

  it('rebuilds a deleted index with the same answers', () => {
    const { store } = fill(dir, 25);
    const before = answers(store);
    store.close();
    rmSync(join(dir, 'index'), { recursive: true });

    const reopened = MemoryStore.open(dir);
    expect(answers(reopened)).toEqual(before);
    reopened.close();
    expect(existsSync(savedIndex(dir).graph)).toBe(true);
  });

  it('detects a damaged index by its checksum and rebuilds it', () => {
    const { store } = fill(dir, 25);
    const before = answers(store);
    store.close();
    const file = savedIndex(dir).graph;
    const bytes = readFileSync(file);
    bytes.fill(0x5a, 200, 4000);
    writeFileSync(file, bytes);

    const reopened = MemoryStore.open(dir);
    expect(answers(reopened)).toEqual(before);
    reopened.close();
    // Only a rebuilt index is saved again on close: a loaded damaged one would still be named.
    const { meta, graph } = savedIndex(dir);
    expect(graph).not.toBe(file);
    expect(sha256(graph)).toBe(meta.sha256);
    expect(existsSync(file)).toBe(false);
    expect(meta).toMatchObject({ model: MODEL, count: 50 });
  });

  it("keeps each clip's place in its video beside the index, and rebuilds a damaged positions file", () => {
    const { store } = fill(dir, 25);
    const truth = new Map(store.videos.list().flatMap((v) => store.videos.clipsOf(v.id).map((c) => [c.clipId, { videoId: v.id, index: c.index, start: c.start, end: c.end }])));
    const nearest = (s: MemoryStore) => queries.map((q) => s.videos.nearestClips(q, { top: 8 }));
    const before = nearest(store);
    for (const hit of before.flat()) expect(hit).toMatchObject(truth.get(hit.clipId)!);
    store.close();

    const loaded = MemoryStore.open(dir, { readonly: true });
    expect(nearest(loaded)).toEqual(before);
    loaded.close();

    const file = savedIndex(dir).positions;
    const bytes = readFileSync(file);
    // Clip 3 now claims to be somewhere else: only the checksum can tell.
    bytes.writeDoubleLE(999, (3 * 4 + 2) * 8);
    writeFileSync(file, bytes);
    const rebuilt = MemoryStore.open(dir);
    expect(nearest(rebuilt)).toEqual(before);
    rebuilt.close();
    expect(savedIndex(dir).positions).not.toBe(file);
    expect(existsSync(file)).toBe(false);
  });

  it('rebuilds an index made for another model or with a garbled meta file', () => {
    const { store } = fill(dir, 10);
    const before = answers(store);
    store.close();
    writeFileSync(join(dir, 'index', 'indicators.json'), '{"version":1,');
    const reopened = MemoryStore.open(dir, { readonly: true });
    expect(answers(reopened)).toEqual(before);
    reopened.close();
  });

  it('finds clips committed after the last flush, as a crash leaves them', () => {
    const { store, indicators, videos } = fill(dir, 10);
    store.flush();
    const random = seededRandom(5);
    const late = new Map<number, Float32Array>();
    for (let i = 10; i < 16; i++) {
      const indicator = unit(random);
      late.set(store.videos.appendClip(videos[1]!, clip(i, indicator, random)), indicator);
    }
    // The files as they are at this moment, with the last clips only in SQLite's WAL.
    const crashed = join(dir, 'crashed');
    mkdirSync(crashed);
    for (const name of ['vidmem.db', 'vidmem.db-wal', 'index', 'thumbs']) cpSync(join(dir, name), join(crashed, name), { recursive: true });
    store.close();

    const staleMeta = readFileSync(join(crashed, 'index', 'indicators.json'), 'utf8');
    expect(JSON.parse(staleMeta).count).toBe(20);

    const state = treeState(crashed);
    const reader = MemoryStore.open(crashed, { readonly: true });
    for (const [id, indicator] of [...indicators, ...late]) expect(search(reader, indicator, { top: 1 })[0]!.clipId).toBe(id);
    reader.close();
    expect(treeState(crashed)).toEqual(state);

    const writer = MemoryStore.open(crashed);
    for (const [id, indicator] of late) expect(search(writer, indicator, { top: 1 })[0]!.clipId).toBe(id);
    writer.close();
    expect(JSON.parse(readFileSync(join(crashed, 'index', 'indicators.json'), 'utf8')).count).toBe(26);
  });

  it('keeps a consistent, resumable store when the ingesting process is killed with SIGKILL', async () => {
    const { stdout, killedAfter } = await ingestUntilKilled(dir, 60);
    expect(stdout).toContain('flushed');
    // The index on disk stopped at the flush; everything after it exists only in SQLite.
    expect(JSON.parse(readFileSync(join(dir, 'index', 'indicators.json'), 'utf8')).count).toBe(20);

    const store = MemoryStore.open(dir);
    const [video] = store.videos.list();
    const clips = store.videos.clipsOf(video!.id);
    // Every append that returned was committed; the one in flight may or may not be.
    expect(clips.length).toBeGreaterThanOrEqual(killedAfter + 1);
    expect(clips.map((c) => c.index)).toEqual(clips.map((_, i) => i));
    for (const c of clips) {
      const memory = store.videos.clipMemories([c.clipId]).get(c.clipId)!;
      expect(memory.tokens).toHaveLength(K);
      expect(search(store, memory.indicator, { top: 1 })[0]).toMatchObject({ clipId: c.clipId, thumbnail: join(dir, 'thumbs', String(video!.id), `${c.index}.jpg`) });
      expect(existsSync(search(store, memory.indicator, { top: 1 })[0]!.thumbnail!)).toBe(true);
    }

    const last = store.videos.lastClip(video!.id)!;
    expect(last.index).toBe(clips.length - 1);
    const random = seededRandom(77);
    const resumed = store.videos.appendClip(video!.id, { ...clip(last.index + 1, unit(random), random), thumbnailJpeg: Uint8Array.from([1, 2, 3]) });
    expect(readFileSync(join(dir, 'thumbs', String(video!.id), `${last.index + 1}.jpg`))).toEqual(Buffer.from([1, 2, 3]));
    store.videos.finish(video!.id, 'complete', {});
    expect(search(store, store.videos.clipMemories([resumed]).get(resumed)!.indicator, { top: 1 })[0]!.clipId).toBe(resumed);
    store.close();

    const db = new Database(join(dir, 'vidmem.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) FROM clip_memories').pluck().get()).toBe(clips.length + 1);
    db.close();
  });
});

describe('MemoryStore upgrades', () => {
  /** Rewrites a store into the layout of schema 2 (vidmem 0.1): one row per memory token, no positions beside the index. */
  function toSchema2(dir: string, memories: Map<number, readonly MemoryToken[]>): void {
    const db = new Database(join(dir, 'vidmem.db'));
    db.exec(`CREATE TABLE memory_tokens (
      clip_id INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE, k INTEGER NOT NULL CHECK (k >= 0), vector BLOB NOT NULL,
      start_sec REAL NOT NULL, end_sec REAL NOT NULL, weight REAL NOT NULL, PRIMARY KEY (clip_id, k)) WITHOUT ROWID`);
    const insert = db.prepare('INSERT INTO memory_tokens VALUES (?, ?, ?, ?, ?, ?)');
    for (const [clipId, tokens] of memories) {
      tokens.forEach((t, k) => insert.run(clipId, k, Buffer.from(Float32Array.from(t.vector).buffer), t.start, t.end, t.weight));
    }
    db.exec('DROP TABLE clip_memories');
    // What later migrations made goes too: a schema-2 store had none of it.
    db.exec('DROP TABLE clip_text_words; DROP TABLE clip_text_grams; DROP TABLE clip_text');
    db.exec('DROP INDEX videos_by_size; ALTER TABLE videos DROP COLUMN size_bytes');
    db.exec('DROP TABLE text_reads');
    db.exec('DROP TABLE source_gaps; DROP INDEX videos_by_source; ALTER TABLE videos DROP COLUMN source_id; ALTER TABLE videos DROP COLUMN started_at; DROP TABLE sources');
    db.exec('DROP TABLE removals; DROP TABLE files_to_remove');
    db.exec('DROP TABLE alert_events; DROP TABLE alert_rules');
    db.exec('DROP TABLE detections');
    db.pragma('user_version = 2');
    db.close();
    const { meta, positions } = savedIndex(dir);
    writeFileSync(join(dir, 'index', 'indicators.json'), JSON.stringify({ ...meta, version: 1, positionsSha256: undefined, positionsFile: undefined }));
    rmSync(positions);
  }

  it('upgrades a store written with one row per memory token, from a read-only open too, keeping every memory and answer', () => {
    // Enough clips that the dropped table is most of the file, as in any real store.
    const { store, indicators } = fill(dir, 80);
    const clips = indicators.size;
    const memories = new Map([...indicators.keys()].map((id) => [id, store.videos.clipMemories([id]).get(id)!.tokens]));
    const queries = Array.from({ length: 6 }, (_, i) => unit(seededRandom(300 + i)));
    const before = queries.map((q) => store.videos.nearestClips(q, { top: 5 }));
    store.close();
    toSchema2(dir, memories);

    const upgrades: unknown[] = [];
    const reader = MemoryStore.open(dir, { readonly: true, onUpgrade: (u) => upgrades.push(u) });
    expect(upgrades).toEqual([{ from: 2, to: LATEST_SCHEMA }]);
    for (const [id, tokens] of memories) expect(reader.videos.clipMemories([id]).get(id)).toMatchObject({ indicator: indicators.get(id), tokens });
    expect(queries.map((q) => reader.videos.nearestClips(q, { top: 5 }))).toEqual(before);
    reader.close();
    // The index was rebuilt and saved by the upgrade, so read-only opens do not rebuild it every time.
    expect(JSON.parse(readFileSync(join(dir, 'index', 'indicators.json'), 'utf8'))).toMatchObject({ version: 3, count: clips });

    const again = MemoryStore.open(dir, { readonly: true, onUpgrade: (u) => upgrades.push(u) });
    again.close();
    expect(upgrades).toHaveLength(1);
    const db = new Database(join(dir, 'vidmem.db'), { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'memory_tokens'").all()).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM clip_memories').pluck().get()).toBe(clips);
    // The dropped table's pages went back to the file system.
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);
    db.close();
  });

  it('tells the command-line user about the upgrade once, and then answers', async () => {
    const { store, indicators } = fill(dir, 3);
    const memories = new Map([...indicators.keys()].map((id) => [id, store.videos.clipMemories([id]).get(id)!.tokens]));
    store.close();
    toSchema2(dir, memories);

    const first = await vidmem(['videos', '--store', dir]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe(`upgrading store ${dir} from schema 2 to ${LATEST_SCHEMA} and rebuilding its index (once; minutes for millions of clips)…\n`);
    expect(first.stdout).toContain('/media/lecture.mp4');
    const second = await vidmem(['videos', '--store', dir]);
    expect(second).toMatchObject({ code: 0, stderr: '', stdout: first.stdout });
  });
});

describe('MemoryStore.open refusals', () => {
  it('refuses a file that is not a database and leaves it untouched', () => {
    const db = join(dir, 'vidmem.db');
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251));
    writeFileSync(db, garbage);
    const before = treeState(dir);
    for (const opts of [{}, { readonly: true }]) {
      expect(() => MemoryStore.open(dir, opts)).toThrow(StoreError);
      expect(() => MemoryStore.open(dir, opts)).toThrow(`store ${dir} is not a vidmem store: file is not a database`);
    }
    expect(treeState(dir)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['vidmem.db']);
  });

  it('reports a damaged database as a StoreError', () => {
    const { store } = fill(dir, 100);
    store.close();
    const db = join(dir, 'vidmem.db');
    const bytes = readFileSync(db);
    bytes.fill(0x41, 4096 * 2);
    writeFileSync(db, bytes);
    const use = () => {
      const damaged = MemoryStore.open(dir);
      try {
        damaged.videos.list();
        search(damaged, unit(seededRandom(1)), { top: 3 });
      } finally {
        damaged.close();
      }
    };
    expect(use).toThrow(new StoreError(`store ${dir} is damaged (database disk image is malformed); restore it from a backup, or use another --store`));
  });

  it("refuses another program's SQLite database", () => {
    const foreign = new Database(join(dir, 'vidmem.db'));
    foreign.exec('CREATE TABLE recipes (name TEXT)');
    foreign.close();
    const before = sha256(join(dir, 'vidmem.db'));
    expect(() => MemoryStore.open(dir)).toThrow('is not a vidmem store: vidmem.db holds other tables');
    expect(sha256(join(dir, 'vidmem.db'))).toBe(before);
  });

  it('refuses a store written by a newer schema', () => {
    MemoryStore.open(dir).close();
    const db = new Database(join(dir, 'vidmem.db'));
    db.pragma('user_version = 99');
    db.close();
    expect(() => MemoryStore.open(dir)).toThrow(/written by a newer vidmem \(schema 99, this one knows up to \d+\)/);
  });

  it('refuses a store path that is a regular file', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'hello');
    expect(() => MemoryStore.open(file)).toThrow(new StoreError(`store ${file} is a file, not a store folder`));
    expect(() => MemoryStore.open(join(file, 'inner'))).toThrow(StoreError);
    expect(readFileSync(file, 'utf8')).toBe('hello');
  });

  it('refuses a missing store when it may not create one, creating nothing', () => {
    const missing = join(dir, 'nowhere');
    expect(() => MemoryStore.open(missing, { readonly: true })).toThrow(`no store at ${missing}; ingest a video first`);
    expect(() => MemoryStore.open(missing, { create: false })).toThrow(`no store at ${missing}; ingest a video first`);
    mkdirSync(missing);
    expect(() => MemoryStore.open(missing, { readonly: true })).toThrow(StoreError);
    expect(readdirSync(missing)).toEqual([]);
  });

  it('never writes through a read-only store', () => {
    const { store, videos } = fill(dir, 5);
    store.close();
    const before = treeState(dir);
    const reader = MemoryStore.open(dir, { readonly: true });
    expect(reader.videos.list()).toHaveLength(2);
    expect(search(reader, unit(seededRandom(4)), { top: 3 })).toHaveLength(3);
    expect(() => reader.videos.begin(videoInput('new'))).toThrow('is open read-only');
    expect(() => reader.videos.appendClip(videos[0]!, clip(9, unit(seededRandom(2)), seededRandom(3)))).toThrow('is open read-only');
    reader.flush();
    reader.close();
    expect(treeState(dir)).toEqual(before);
  });
});

/**
 * Runs an ingest in a child process (appending clips forever, flushing the index once after
 * 20) and SIGKILLs it once `killAfter` appends have returned, at whatever it is doing then.
 */
async function ingestUntilKilled(store: string, killAfter: number): Promise<{ stdout: string; killedAfter: number }> {
  const child = spawnStoreScript(
    `const dim = ${MODEL.dim};
     const unit = () => { const v = Float32Array.from({ length: dim }, () => Math.random() - 0.5); const n = Math.hypot(...v); return v.map((x) => x / n); };
     const store = MemoryStore.open(process.argv[2]);
     store.bindModel(${JSON.stringify(MODEL)});
     const video = store.videos.begin(${JSON.stringify(videoInput('camera'))});
     for (let i = 0; ; i++) {
       const tokens = Array.from({ length: ${K} }, (_, k) => ({ vector: unit(), start: i * 4, end: i * 4 + k + 1, weight: 1 }));
       store.videos.appendClip(video.id, { index: i, start: i * 4, end: i * 4 + 4, indicator: unit(), tokens, framesEncoded: 8, framesRepeat: 0,
                                    thumbnailJpeg: new Uint8Array(4096).fill(i % 256) });
       if (i === 19) { store.flush(); process.stdout.write('flushed\\n'); }
       process.stdout.write(i + '\\n');
     }`,
    [store],
  );
  let stdout = '';
  let stderr = '';
  let killedAfter = -1;
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    const complete = stdout.split('\n').slice(0, -1);
    const lastDone = Number(complete[complete.length - 1]);
    if (killedAfter < 0 && lastDone >= killAfter) {
      killedAfter = lastDone;
      child.kill('SIGKILL');
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((done) => child.on('close', (_code, sig) => done(sig)));
  if (signal !== 'SIGKILL') throw new Error(`ingest child ended on its own: ${stderr}`);
  // Appends may have returned after the last line the parent read before the kill landed.
  return { stdout, killedAfter };
}
