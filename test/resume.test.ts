import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { BIN, tempDir, vidmem } from './helpers/cli.js';

const COLOURS = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta', 'white', 'black'];
/** Every frame different and encoded, so the ingest lasts long enough to be killed midway. */
const ARGS = ['--model', 'palette', '--sampling', 'fps', '--fps', '5', '--repeat-threshold', '0', '--json'];

function clipsIn(store: string): Array<{ idx: number; start: number; end: number }> {
  const db = new Database(join(store, 'vidmem.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT idx, start_sec AS start, end_sec AS end FROM clips ORDER BY idx').all() as Array<{ idx: number; start: number; end: number }>;
  } finally {
    db.close();
  }
}

let dir: string;
let video: string;

beforeAll(async () => {
  dir = tempDir();
  video = join(dir, 'long.mp4');
  await renderSegments(
    video,
    Array.from({ length: 24 }, (_, i) => ({ seconds: 10, layout: { full: COLOURS[i % COLOURS.length] } })),
    { width: 160, height: 120, motion: true },
  );
});

describe('kill -9 during ingest', () => {
  it('leaves a consistent store, and running the same command again resumes after the last clip', async () => {
    const reference = join(dir, 'reference');
    expect((await vidmem(['ingest', video, '--store', reference, ...ARGS])).code).toBe(0);
    const expected = clipsIn(reference);
    expect(expected.length).toBe(60);

    const store = join(dir, 'killed');
    const child = spawn(process.execPath, [BIN, 'ingest', video, '--store', store, ...ARGS], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let committed = 0;
    for (let i = 0; i < 3000 && committed < 5; i++) {
      await sleep(10);
      if (existsSync(join(store, 'vidmem.db'))) {
        try {
          committed = clipsIn(store).length;
        } catch {
          // The schema may not exist yet at the very start.
        }
      }
    }
    child.kill('SIGKILL');
    await exited;
    const survived = clipsIn(store);
    expect(survived.length).toBeGreaterThanOrEqual(5);
    expect(survived.length).toBeLessThan(expected.length);
    // Whatever survived is a prefix of the uninterrupted run: no gap, no half-written clip.
    expect(survived).toEqual(expected.slice(0, survived.length));
    const listed = (await vidmem(['videos', '--store', store])).stdout;
    const [, minutes, seconds] = /\[ingesting or interrupted at (\d\d):(\d\d); the same vidmem ingest resumes it\]/.exec(listed) ?? [];
    expect(Number(minutes) * 60 + Number(seconds)).toBe(Math.floor(survived.at(-1)!.end));

    const rerun = await vidmem(['ingest', video, '--store', store, ...ARGS]);
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.resumedAt).toBeCloseTo(survived.at(-1)!.end, 3);
    expect(summary.clips).toBe(expected.length);

    const resumed = clipsIn(store);
    expect(resumed.map((c) => c.idx)).toEqual(expected.map((c) => c.idx));
    resumed.forEach((clip, i) => {
      expect(clip.start).toBeCloseTo(expected[i].start, 2);
      expect(clip.end).toBeCloseTo(expected[i].end, 2);
    });

    const search = async (s: string) => JSON.parse((await vidmem(['search', 'magenta', '--store', s, '--top', '3', '--json'])).stdout);
    expect(await search(store)).toEqual({
      results: (await search(reference)).results.map((r: object) => ({ ...r, thumbnail: expect.stringContaining('.jpg') })),
    });
  });
});
