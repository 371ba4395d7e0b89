import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderSegments, type Segment } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem } from './helpers/cli.js';

/** Known answers: each query's segment. 6 s segments straddle the 4 s clips on purpose. */
const SEGMENTS: Segment[] = [
  { seconds: 6, layout: { full: 'red' } },
  { seconds: 6, layout: { left: 'blue', right: 'yellow' } },
  { seconds: 6, layout: { full: 'green' } },
  { seconds: 6, layout: { top: 'white', bottom: 'black' } },
  { seconds: 6, layout: { left: 'red', right: 'cyan' } },
  { seconds: 6, layout: { full: 'magenta' } },
];

const EXPECTED: Array<[query: string, start: number, end: number]> = [
  ['red', 0, 6],
  ['blue on the left', 6, 12],
  ['green', 12, 18],
  ['white at the top', 18, 24],
  ['When is there red on the left?', 24, 30],
  ['magenta', 30, 36],
  ['cyan on the right', 24, 30],
  ['black at the bottom', 18, 24],
];

interface SearchJson {
  results: Array<{ videoId: number; start: number; end: number; score: number; thumbnail: string | null }>;
}

let dir: string;
let video: string;
let store: string;

beforeAll(async () => {
  dir = tempDir();
  video = join(dir, 'colours.mp4');
  store = join(dir, 'store');
  await renderSegments(video, SEGMENTS, { motion: true });
});

describe('ingest then search', () => {
  it('ingests with a JSON summary of what was decoded, encoded and skipped', async () => {
    const result = await vidmem(['ingest', video, '--store', store, '--model', 'palette', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ videoId: 1, alreadyIngested: false });
    expect(summary.durationSec).toBeCloseTo(36, 0);
    expect(summary.clips).toBe(9);
    expect(summary.framesDecoded).toBeGreaterThanOrEqual(35);
    expect(summary.framesEncoded + summary.framesSkipped).toBe(summary.framesDecoded);
    expect(summary.wallSec).toBeGreaterThan(0);
  });

  it.each(EXPECTED)('"%s" finds %i–%i s first', async (query, start, end) => {
    const result = await vidmem(['search', query, '--store', store, '--json']);
    expect(result.code).toBe(0);
    const { results } = JSON.parse(result.stdout) as SearchJson;
    expect(results.length).toBeGreaterThan(0);
    expect(results[0].start).toBeCloseTo(start, 0);
    expect(results[0].end).toBeCloseTo(end, 0);
    expect(results[0].thumbnail).toMatch(/\.jpg$/);
  });

  it('prints moments as text with time ranges and thumbnails', async () => {
    const result = await vidmem(['search', 'green', '--store', store, '--top', '2']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ 1\. 00:12–00:18 {2}score 0\.\d{3} {2}video 1 \/\S*colours\.mp4 {2}\/\S*\.jpg$/m);
  });

  it('does not store the same file twice', async () => {
    const again = await vidmem(['ingest', video, '--store', store, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ videoId: 1, alreadyIngested: true, clips: 9 });
    const list = JSON.parse((await vidmem(['videos', '--store', store, '--json'])).stdout);
    expect(list.videos).toHaveLength(1);
  });

  it('keeps many videos in one store and filters with --video', async () => {
    const second = join(dir, 'second.mp4');
    await renderSegments(second, [
      { seconds: 4, layout: { full: 'blue' } },
      { seconds: 4, layout: { full: 'red' } },
    ], { motion: true });
    const ingest = await vidmem(['ingest', second, '--store', store, '--sampling', 'fps', '--fps', '2', '--json']);
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ videoId: 2, sampling: 'fps' });

    const list = JSON.parse((await vidmem(['videos', '--store', store, '--json'])).stdout);
    expect(list.videos.map((v: { id: number; clips: number; durationSec: number }) => [v.id, v.clips, Math.round(v.durationSec)])).toEqual([
      [1, 9, 36],
      [2, 2, 8],
    ]);

    const both = JSON.parse((await vidmem(['search', 'red', '--store', store, '--json'])).stdout) as SearchJson;
    expect(new Set(both.results.map((r) => r.videoId))).toEqual(new Set([1, 2]));
    const only = JSON.parse((await vidmem(['search', 'red', '--store', store, '--video', '2', '--json'])).stdout) as SearchJson;
    expect(only.results.map((r) => r.videoId)).toEqual([2]);
    expect(only.results[0]).toMatchObject({ start: 4, end: 8 });
  });

  it('refuses a --model that disagrees with the store', async () => {
    const result = await vidmem(['search', 'red', '--store', store, '--model', 'vit-b32-shape']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/palette/);
    expect(result.stderr).toMatch(/vit-b32-shape/);
  });

  it('says so when the query has no word the model knows', async () => {
    const result = await vidmem(['search', 'a dog barking', '--store', store]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('vidmem: model \'palette\' knows none of the words in "a dog barking"\n');
  });

  it('copies of a file under another name are the same video', async () => {
    const copy = join(dir, 'copy.mp4');
    copyFileSync(video, copy);
    const result = await vidmem(['ingest', copy, '--store', store, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ videoId: 1, alreadyIngested: true });
  });

  it('a static camera skips the encoder and stores one clip per scene', async () => {
    const still = join(dir, 'still.mp4');
    await renderSegments(still, [
      { seconds: 12, layout: { full: 'white' } },
      { seconds: 12, layout: { left: 'green', right: 'black' } },
    ]);
    const result = await vidmem(['ingest', still, '--store', join(dir, 'still-store'), '--model', 'palette', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ clips: 2, framesDecoded: 24, framesEncoded: 2, framesSkipped: 22 });
    const search = await vidmem(['search', 'green on the left', '--store', join(dir, 'still-store'), '--json']);
    expect(JSON.parse(search.stdout).results[0]).toMatchObject({ start: 12, end: 24 });
  });

  it('a scene with nothing the model knows is stored and matches nothing', async () => {
    const grey = join(dir, 'grey.mp4');
    await renderSegments(grey, [
      { seconds: 8, layout: { full: 'gray' } },
      { seconds: 8, layout: { full: 'blue' } },
    ], { motion: true });
    const greyStore = join(dir, 'grey-store');
    const result = await vidmem(['ingest', grey, '--store', greyStore, '--model', 'palette', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const blue = JSON.parse((await vidmem(['search', 'blue', '--store', greyStore, '--json'])).stdout);
    expect(blue.results).toEqual([expect.objectContaining({ start: 8, end: 16 })]);
    const red = await vidmem(['search', 'red', '--store', greyStore]);
    expect(red.stdout).toBe('no moments found\n');
  });
});

describe('search and ask find moments the same way', () => {
  let long: string;
  beforeAll(async () => {
    const scenes = join(tempDir(), 'scenes.mp4');
    long = join(tempDir(), 'store');
    await renderSegments(scenes, [
      { seconds: 6, layout: { full: 'black' } },
      { seconds: 22, layout: { full: 'red' } }, // 6–28: six clips, the first and last shared with other scenes
      { seconds: 6, layout: { full: 'blue' } },
      { seconds: 10, layout: { left: 'red', right: 'white' } },
      { seconds: 6, layout: { full: 'black' } },
    ], { motion: true });
    expect((await vidmem(['ingest', scenes, '--store', long, '--model', 'palette', '--json'])).code).toBe(0);
  });

  const searchJson = async (...args: string[]) => JSON.parse((await vidmem(['search', ...args, '--store', long, '--json'])).stdout) as SearchJson;

  it('gives a scene one moment whose range does not depend on --top', async () => {
    const ranges = [];
    for (const top of ['1', '2', '5']) {
      const { results } = await searchJson('red', '--top', top);
      ranges.push([results[0]!.start, results[0]!.end]);
      // One red scene is one moment, not several pieces of it.
      expect(results.filter((r) => r.start < 28 && r.end > 6)).toHaveLength(1);
    }
    expect(ranges).toEqual([[6, 28], [6, 28], [6, 28]]);
  });

  it('answers with the moments search lists first', async () => {
    const [{ results }, asked] = await Promise.all([searchJson('red'), vidmem(['ask', 'when is it red?', '--store', long, '--json'])]);
    const { evidence } = JSON.parse(asked.stdout) as { evidence: Array<{ start: number; end: number }> };
    expect(evidence.map((e) => [e.start, e.end])).toContainEqual([results[0]!.start, results[0]!.end]);
  });
});
