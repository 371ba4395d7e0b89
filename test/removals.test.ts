/**
 * Removing what a store keeps, on real SQLite, hnswlib and files: a deleted video leaves no row,
 * text, keyframe or index entry behind, for this process, a process that had the index loaded and
 * the next open (which neither rebuilds the index nor trusts a stale one); a kill -9 at any moment
 * leaves a consistent store that the next open or `videos rm` finishes; a live source's memories
 * past their retention are pruned clip by clip, and `watch` refuses memories kept shorter than
 * the recordings they point to; old keyframes are pruned alone, their clips still found.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ModelIdentity } from '../src/core/model-identity.js';
import { seededRandom } from '../src/core/seeded-random.js';
import { MemoryStore, type NewClipInput } from '../storage/memory-store.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem } from './helpers/cli.js';
import { serve, stop } from './helpers/serve.js';
import { runStoreScript, spawnStoreScript } from './helpers/store-process.js';

const MODEL: ModelIdentity = { name: 'palette', dim: 16, fingerprint: 'removals-test-model' };

function unit(random: () => number): Float32Array {
  const v = Float32Array.from({ length: MODEL.dim }, () => random() * 2 - 1);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function clip(index: number, random: () => number, word: string): NewClipInput {
  const start = index * 4;
  return {
    index, start, end: start + 4, indicator: unit(random), framesEncoded: 4, framesRepeat: 0,
    tokens: [{ vector: unit(random), start, end: start + 4, weight: 1 }],
    thumbnailJpeg: Uint8Array.from([0xff, 0xd8, index & 0xff, 0xff, 0xd9]),
    texts: [{ channel: 'slide', start, end: start + 1, text: `${word} slide ${index}` }],
  };
}

/** Videos named by the words of their slides, `clips` clips each; returns their ids. */
function fill(dir: string, clips: Record<string, number>): number[] {
  const random = seededRandom(7);
  const store = MemoryStore.open(dir);
  store.bindModel(MODEL);
  const ids = Object.entries(clips).map(([word, count]) => {
    const video = store.videos.begin({
      path: `/media/${word}.mp4`, contentHash: createHash('sha256').update(word).digest('hex'), durationSec: count * 4, fps: 25, width: 64, height: 48, settings: {},
    });
    for (let i = 0; i < count; i++) store.videos.appendClip(video.id, clip(i, random, word));
    store.videos.finish(video.id, 'complete', {});
    return video.id;
  });
  store.close();
  return ids;
}

/** What must hold of any store, however its last removal ended; `finished`: after a writer opened it, nothing is left to remove. */
function checkConsistent(dir: string, finished: boolean): void {
  // Writable only for FTS5's integrity check, which is written as an insert.
  const db = new Database(join(dir, 'vidmem.db'));
  try {
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    expect(count('SELECT count(*) FROM clips c WHERE NOT EXISTS (SELECT 1 FROM videos v WHERE v.id = c.video_id)')).toBe(0);
    expect(count('SELECT count(*) FROM clip_memories m WHERE NOT EXISTS (SELECT 1 FROM clips c WHERE c.id = m.clip_id)')).toBe(0);
    expect(count('SELECT count(*) FROM clip_text t WHERE NOT EXISTS (SELECT 1 FROM clips c WHERE c.id = t.clip_id)')).toBe(0);
    expect(count('SELECT count(*) FROM clips c WHERE NOT EXISTS (SELECT 1 FROM clip_memories m WHERE m.clip_id = c.id)')).toBe(0);
    // Both full-text indexes agree with the rows they index.
    db.exec("INSERT INTO clip_text_words (clip_text_words, rank) VALUES ('integrity-check', 1)");
    db.exec("INSERT INTO clip_text_grams (clip_text_grams, rank) VALUES ('integrity-check', 1)");
    const videos = new Set(db.prepare('SELECT id FROM videos').pluck().all() as number[]);
    const listed = new Set(db.prepare('SELECT path FROM files_to_remove').pluck().all() as string[]);
    const folders = existsSync(join(dir, 'thumbs')) ? readdirSync(join(dir, 'thumbs')) : [];
    for (const folder of folders) expect(videos.has(Number(folder)) || (!finished && listed.has(`thumbs/${folder}`)), `thumbs/${folder}`).toBe(true);
    if (finished) expect(listed.size).toBe(0);
    for (const [path] of db.prepare('SELECT thumb_path FROM clips WHERE thumb_path IS NOT NULL').raw().all() as Array<[string]>) expect(existsSync(join(dir, path)), path).toBe(true);
  } finally {
    db.close();
  }
}

/** Opens the store and checks its index: used as saved (no rebuild), holding exactly SQLite's clips. */
function checkIndex(dir: string): void {
  const notices: string[] = [];
  const store = MemoryStore.open(dir, { onNotice: (m) => notices.push(m) });
  const clips = store.videos.clipCounts().reduce((n, v) => n + v.clips, 0);
  const hits = store.videos.nearestClips(unit(seededRandom(99)), { top: 1000 });
  const stored = store.videos.clipMemories(hits.map((h) => h.clipId));
  store.close();
  expect(notices).toEqual([]);
  expect(hits).toHaveLength(Math.min(clips, 1000));
  expect(hits.every((h) => stored.has(h.clipId))).toBe(true);
  const meta = JSON.parse(readFileSync(join(dir, 'index', 'indicators.json'), 'utf8'));
  expect(meta.count).toBe(clips);
}

let dir: string;
beforeEach(() => {
  dir = tempDir('vidmem-removals-');
});

describe('deleting a video', () => {
  it('takes its clips, memories, texts, keyframes and index entries, and leaves the other video as it was', async () => {
    const [lecture, camera] = fill(dir, { lecture: 30, camera: 20 });
    const before = MemoryStore.open(dir, { readonly: true });
    const cameraHits = before.videos.nearestClips(unit(seededRandom(5)), { top: 50 }).filter((h) => h.videoId === camera);
    before.close();

    const removed = await vidmem(['videos', 'rm', String(lecture), '--store', dir]);
    expect(removed).toMatchObject({ code: 0, stderr: '', stdout: `removed video ${lecture} (/media/lecture.mp4): 30 clips, their memories and keyframes\n` });
    expect(existsSync(join(dir, 'thumbs', String(lecture)))).toBe(false);
    expect(readdirSync(join(dir, 'thumbs', String(camera)))).toHaveLength(20);
    checkConsistent(dir, true);

    const notices: string[] = [];
    const store = MemoryStore.open(dir, { readonly: true, onNotice: (m) => notices.push(m) });
    const hits = store.videos.nearestClips(unit(seededRandom(5)), { top: 50 });
    expect(hits.map((h) => h.videoId)).toEqual(cameraHits.map(() => camera));
    expect(hits.map((h) => h.clipId)).toEqual(cameraHits.map((h) => h.clipId));
    expect(store.videos.textMatches(['lecture'], { top: 10 })).toEqual([]);
    expect(store.videos.textMatches(['camera'], { top: 10 })).toHaveLength(10);
    expect(store.videos.list().map((v) => v.id)).toEqual([camera]);
    store.close();
    // The index was saved without it: the next open uses it as it is.
    expect(notices).toEqual([]);
    checkIndex(dir);
  });

  it('is refused in one line for an id the store lacks, and for a store opened read-only, harming nothing', async () => {
    const [lecture] = fill(dir, { lecture: 3 });
    const missing = await vidmem(['videos', 'rm', '99', String(lecture), '--store', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`vidmem: store ${dir} has no video 99 (\`vidmem videos\` lists them)\n`);
    expect(missing.stdout).toBe(`removed video ${lecture} (/media/lecture.mp4): 3 clips, their memories and keyframes\n`);
    const bad = await vidmem(['videos', 'rm', 'x1', '--store', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('a video id must be a positive whole number');
    const nowhere = await vidmem(['videos', 'rm', '1', '--store', join(dir, 'none')]);
    expect(nowhere).toMatchObject({ code: 1, stderr: `vidmem: no store at ${join(dir, 'none')}; ingest a video first\n` });
    expect(existsSync(join(dir, 'none'))).toBe(false);

    const { openVidmem } = await import('../pipelines/vidmem.js');
    const [camera] = fill(join(dir, 'b'), { camera: 2 });
    const app = openVidmem(join(dir, 'b'), { access: 'read' });
    expect(() => app.deleteVideo(camera!)).toThrow(`store ${join(dir, 'b')} is open read-only: nothing can be removed from it`);
    await app.close();
    checkIndex(join(dir, 'b'));
  });

  it('is seen at once by another process that has the index loaded, which never answers with a removed clip', async () => {
    const [lecture, camera] = fill(dir, { lecture: 40, camera: 40 });
    const done = join(dir, 'done');
    // Searches until told to stop, a line each: the videos of its hits, and whether any hit had no memory left.
    const reader = spawnStoreScript(
      `const [dir, done] = process.argv.slice(2);
       const { existsSync } = await import('node:fs');
       const notices = [];
       const store = MemoryStore.open(dir, { readonly: true, onNotice: (m) => notices.push(m) });
       const query = new Float32Array(${MODEL.dim}).fill(0.25);
       for (let last = false; !last; ) {
         last = existsSync(done);
         const hits = store.videos.nearestClips(query, { top: 60 });
         const memories = store.videos.clipMemories(hits.map((h) => h.clipId));
         process.stdout.write(JSON.stringify({ videos: [...new Set(hits.map((h) => h.videoId))].sort(), unread: hits.filter((h) => !memories.has(h.clipId)).length, last }) + '\\n');
         await new Promise((r) => setTimeout(r, 5));
       }
       store.close();
       process.stdout.write(JSON.stringify({ notices }) + '\\n');`,
      [dir, done],
    );
    let out = '';
    reader.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise((resolve) => reader.on('close', resolve));
    while (!out.includes('\n')) await sleep(10);

    const store = MemoryStore.open(dir);
    expect(store.videos.remove(lecture!)).toBe(40);
    store.close();
    writeFileSync(done, '');
    await exited;

    const lines = out.trim().split('\n').map((line) => JSON.parse(line));
    const { notices } = lines.pop();
    expect(notices).toEqual([]);
    expect(lines[0].videos).toEqual([lecture, camera]);
    // The search after the removal was committed, and every one since, finds only the other video.
    expect(lines.at(-1)).toEqual({ videos: [camera], unread: 0, last: true });
    const firstAfter = lines.findIndex((l) => !l.videos.includes(lecture));
    expect(lines.slice(firstAfter).every((l) => l.videos.length === 1 && l.videos[0] === camera && l.unread === 0)).toBe(true);
    checkIndex(dir);
  });

  it('killed with SIGKILL at any moment leaves a consistent store, and the next open or videos rm finishes it', async () => {
    const source = join(dir, 'source');
    const [big, small] = fill(source, { big: 4000, small: 10 });
    const script = `const store = MemoryStore.open(process.argv[2]); process.stdout.write('open\\n'); store.videos.remove(Number(process.argv[3])); store.close();`;
    const timed = join(dir, 'timed');
    cpSync(source, timed, { recursive: true });
    const started = Date.now();
    expect((await runStoreScript(script, [timed, String(big)])).code).toBe(0);
    const whole = Date.now() - started;

    for (const fraction of [0.35, 0.5, 0.6, 0.7, 0.8, 0.9]) {
      const killed = join(dir, `killed-${fraction}`);
      cpSync(source, killed, { recursive: true });
      const child = spawnStoreScript(script, [killed, String(big)]);
      const exited = new Promise((resolve) => child.on('close', resolve));
      await sleep(whole * fraction);
      child.kill('SIGKILL');
      await exited;

      checkConsistent(killed, false);
      const db = new Database(join(killed, 'vidmem.db'), { readonly: true });
      const left = db.prepare('SELECT count(*) FROM clips WHERE video_id = ?').pluck().get(big);
      db.close();
      // All of it or none: the rows go in one transaction.
      expect([0, 4000]).toContain(left);
      checkIndex(killed);
      checkConsistent(killed, true);

      const again = await vidmem(['videos', 'rm', String(big), '--store', killed]);
      expect(again.code === 0 ? again.stdout : again.stderr).toContain(left === 0 ? `has no video ${big}` : `removed video ${big}`);
      checkConsistent(killed, true);
      checkIndex(killed);
      const store = MemoryStore.open(killed, { readonly: true });
      expect(store.videos.list().map((v) => v.id)).toEqual([small]);
      store.close();
    }
  });

  it('finishes on the next open a removal whose rows went and whose files did not', () => {
    const [lecture] = fill(dir, { lecture: 5, camera: 5 });
    // As a kill right after the commit leaves it.
    const db = new Database(join(dir, 'vidmem.db'));
    db.exec(`DELETE FROM clip_text WHERE clip_id IN (SELECT id FROM clips WHERE video_id = ${lecture});
             DELETE FROM clip_memories WHERE clip_id IN (SELECT id FROM clips WHERE video_id = ${lecture});
             DELETE FROM clips WHERE video_id = ${lecture}; DELETE FROM videos WHERE id = ${lecture};
             INSERT INTO files_to_remove VALUES ('thumbs/${lecture}'), ('../outside');
             UPDATE removals SET count = count + 1`);
    db.close();
    mkdirSync(join(dir, '..', 'outside'), { recursive: true });
    const reader = MemoryStore.open(dir, { readonly: true });
    reader.close();
    expect(existsSync(join(dir, 'thumbs', String(lecture)))).toBe(true);
    checkIndex(dir);
    checkConsistent(dir, true);
    // A path that is not a keyframe's is never removed, whatever the rows say.
    expect(existsSync(join(dir, '..', 'outside'))).toBe(true);
  });
});

describe('deleting a live source', () => {
  it('takes its segments, clips, keyframes, gaps and recordings, leaves another source as it was, and says so on the command line', async () => {
    const now = Date.now() / 1000;
    const random = seededRandom(4);
    const store = MemoryStore.open(dir);
    store.bindModel(MODEL);
    const segment = (source: ReturnType<typeof store.sources.register>, startedAt: number, clips: number, gap?: number) => {
      const id = store.sources.beginSegment(source, { startedAt, fps: 1, width: 64, height: 48, settings: {} }, gap);
      for (let i = 0; i < clips; i++) store.videos.appendClip(id, clip(i, random, source.name));
      store.sources.extendSegment(id, clips * 4);
      return id;
    };
    const door = store.sources.register('door', 'rtsp://127.0.0.1/door');
    const first = segment(door, now - 600, 5);
    const gap = store.sources.openGap(door, now - 580, 'the stream ended');
    const second = segment(door, now - 300, 3, gap);
    const yard = store.sources.register('yard', 'rtsp://127.0.0.1/yard');
    const kept = segment(yard, now - 300, 2);
    const recording = store.sources.recordingPattern(door).replace('%s', String(Math.floor(now - 600)));
    writeFileSync(recording, 'not really MPEG-TS');
    writeFileSync(store.sources.recordingPattern(yard).replace('%s', String(Math.floor(now - 300))), 'nor this');
    store.close();

    const removed = await vidmem(['sources', 'rm', 'door', 'gate', '--store', dir]);
    expect(removed).toMatchObject({
      code: 2,
      stdout: 'removed source door: 8 clips with their memories and keyframes, its gaps and its recordings\n',
      stderr: "vidmem: store " + dir + " has no source 'gate' (its sources: yard)\n",
    });
    const after = MemoryStore.open(dir, { readonly: true });
    expect(after.sources.list().map((s) => s.name)).toEqual(['yard']);
    expect([after.videos.get(first), after.videos.get(second)]).toEqual([undefined, undefined]);
    expect(after.videos.clipsOf(kept)).toHaveLength(2);
    expect(after.videos.nearestClips(unit(seededRandom(9)), { top: 100 }).map((h) => h.videoId)).toEqual([kept, kept]);
    after.close();
    expect([existsSync(join(dir, 'thumbs', String(first))), existsSync(join(dir, 'thumbs', String(second))), existsSync(recording)]).toEqual([false, false, false]);
    expect(readdirSync(join(dir, 'recordings'))).toEqual([String(yard.id)]);
    checkConsistent(dir, true);
    checkIndex(dir);
  });
});

describe('retention of memories', () => {
  const DAY = 86_400;

  it("prunes a live source's clips that ended before the cut, clip by clip, with their keyframes, empty segments and gaps", () => {
    const now = Date.now() / 1000;
    const random = seededRandom(3);
    const store = MemoryStore.open(dir);
    store.bindModel(MODEL);
    const source = store.sources.register('door', 'rtsp://127.0.0.1/door');
    const segment = (startedAt: number, clips: number, gap?: number) => {
      const id = store.sources.beginSegment(source, { startedAt, fps: 1, width: 64, height: 48, settings: {} }, gap);
      for (let i = 0; i < clips; i++) store.videos.appendClip(id, clip(i, random, 'door'));
      store.sources.extendSegment(id, clips * 4);
      return id;
    };
    const old = segment(now - 3 * DAY, 10);
    store.videos.finish(old, 'complete', {});
    const gap = store.sources.openGap(source, now - 3 * DAY + 40, 'the stream ended');
    // Watched since a day and 20 s ago: its first five clips end by the cut.
    const current = segment(now - DAY - 20, 20, gap);
    const other = store.sources.register('yard', 'rtsp://127.0.0.1/yard');
    const yard = store.sources.beginSegment(other, { startedAt: now - 3 * DAY, fps: 1, width: 64, height: 48, settings: {} });
    store.videos.appendClip(yard, clip(0, random, 'yard'));

    expect(store.sources.pruneMemories(source, now - DAY)).toBe(15);
    expect(store.videos.get(old)).toBeUndefined();
    expect(store.videos.clipsOf(current).map((c) => c.index)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(store.sources.gaps(source)).toEqual([]);
    // Another source is its own watch's to prune.
    expect(store.videos.clipsOf(yard)).toHaveLength(1);
    expect(existsSync(join(dir, 'thumbs', String(old)))).toBe(false);
    expect(readdirSync(join(dir, 'thumbs', String(current))).sort((a, b) => parseInt(a) - parseInt(b))).toEqual(
      Array.from({ length: 15 }, (_, i) => `${i + 5}.jpg`),
    );
    const hits = store.videos.nearestClips(unit(seededRandom(8)), { top: 100 });
    expect(new Set(hits.map((h) => h.videoId))).toEqual(new Set([current, yard]));
    expect(hits).toHaveLength(16);
    expect(store.sources.list().find((s) => s.name === 'door')).toMatchObject({ segments: 1, clips: 15 });
    expect(store.sources.pruneMemories(source, now - DAY)).toBe(0);
    store.close();
    checkConsistent(dir, true);
    checkIndex(dir);
  });

  it('is refused in one line when shorter than the recordings it points to, or than a minute', async () => {
    const store = join(dir, 'store');
    const shorter = await vidmem(['watch', 'udp://127.0.0.1:9', '--store', store, '--model', 'palette', '--retain', '7d', '--retain-memories', '1d']);
    expect(shorter.code).toBe(2);
    expect(shorter.stderr.split('\n').at(-2)).toBe(
      'vidmem: memories kept for 1d would go before the recordings kept for 7d that they point to; keep them at least as long (--retain-memories ≥ --retain)',
    );
    const tooShort = await vidmem(['watch', 'udp://127.0.0.1:9', '--store', store, '--retain-memories', '30s']);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain("--retain-memories must be from 1m to 36500d, got '30s'");
  });
});

describe('pruning keyframes', () => {
  it("removes old keyframes' files and rows and keeps their clips: search, ask, events and the page find them without a picture", async () => {
    const store = join(dir, 'store');
    const [red, blue] = [join(dir, 'red.mp4'), join(dir, 'blue.mp4')];
    await renderSegments(red, [{ seconds: 8, layout: { full: 'red' } }]);
    await renderSegments(blue, [{ seconds: 8, layout: { full: 'blue' } }]);
    expect((await vidmem(['ingest', red, blue, '--model', 'palette', '--store', store])).code).toBe(0);
    // The red file was ingested 40 days ago, the blue one now.
    const db = new Database(join(store, 'vidmem.db'));
    db.prepare("UPDATE videos SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-40 days') WHERE path = ?").run(red);
    const old = db.prepare('SELECT c.id, thumb_path AS path, video_id AS videoId FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.path = ?').all(red) as Array<{ id: number; path: string; videoId: number }>;
    db.close();
    expect(old.length).toBeGreaterThan(0);
    // An alert raised on a red clip, whose event keeps a copy of the keyframe's path.
    const writer = MemoryStore.open(store);
    const rule = writer.alerts.addRule({ name: 'red', source: null, cooldownSec: 30, condition: { kind: 'text', text: 'red', sigma: 4, confirm: null } });
    const raised = writer.alerts.raise({ ruleId: rule.id, ruleName: 'red', videoId: old[0]!.videoId, source: null, path: red, start: 0, end: 4, startedAt: null, score: 9, clipId: old[0]!.id });
    expect(raised.thumbnail).toBe(join(store, old[0]!.path));
    writer.close();
    const redThumbnail = (results: Array<{ path: string; thumbnail: string | null }>) => results.find((r) => r.path === red)!.thumbnail;
    expect(redThumbnail(JSON.parse((await vidmem(['search', 'red', '--store', store, '--json'])).stdout).results)).toMatch(/\.jpg$/);

    const pruned = await vidmem(['videos', 'prune', '--keyframes-older-than', '30d', '--store', store]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(new RegExp(`^removed ${old.length} keyframes? older than 30d \\(before \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\); their clips are still found, shown without a picture\n$`));
    for (const { path } of old) expect(existsSync(join(store, path)), path).toBe(false);
    checkConsistent(store, true);

    const search = JSON.parse((await vidmem(['search', 'red', '--store', store, '--json'])).stdout).results;
    expect(redThumbnail(search)).toBeNull();
    expect(JSON.parse((await vidmem(['search', 'blue', '--store', store, '--json'])).stdout).results[0]).toMatchObject({ path: blue, thumbnail: expect.stringMatching(/\.jpg$/) });
    const line = (await vidmem(['search', 'red', '--store', store, '--top', '1'])).stdout;
    expect(line).toContain('red.mp4');
    expect(line).not.toContain('.jpg');
    const asked = JSON.parse((await vidmem(['ask', 'when is it red?', '--store', store, '--json'])).stdout);
    expect(asked.evidence.find((e: { video: string }) => e.video === red)).toMatchObject({ thumbnail: null });
    const events = MemoryStore.open(store, { readonly: true });
    expect(events.alerts.events().map((e) => e.thumbnail)).toEqual([null]);
    events.close();
    const served = await serve(['--store', store]);
    try {
      const page = await (await fetch(`${served.base}/api/search?q=red&top=5`)).json();
      expect(redThumbnail(page.results)).toBeNull();
    } finally {
      await stop(served);
    }
    // Nothing younger goes, and nothing is left to prune twice.
    expect((await vidmem(['videos', 'prune', '--keyframes-older-than', '30d', '--store', store])).stdout).toMatch(/^removed 0 keyframes/);
    expect(await vidmem(['videos', 'prune', '--keyframes-older-than', 'soon', '--store', store])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--keyframes-older-than.*give a duration such as 90s/) });
  });

  it('killed between its rows and its files leaves no row pointing at a missing file, and the next writer removes the files', () => {
    const [lecture] = fill(dir, { lecture: 5 });
    // As a kill right after the commit leaves it: the rows forgot the keyframes, the files are still listed.
    const db = new Database(join(dir, 'vidmem.db'));
    db.exec(`INSERT INTO files_to_remove SELECT thumb_path FROM clips WHERE video_id = ${lecture}; UPDATE clips SET thumb_path = NULL`);
    db.close();
    checkConsistent(dir, false);
    expect(readdirSync(join(dir, 'thumbs', String(lecture)))).toHaveLength(5);
    MemoryStore.open(dir).close();
    expect(readdirSync(join(dir, 'thumbs', String(lecture)))).toEqual([]);
    checkConsistent(dir, true);
    checkIndex(dir);
  });
});
