import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { runProcess } from '../src/sources/run-process.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem, type CliResult } from './helpers/cli.js';

let dir: string;
let store: string;

function expectOneLineFailure(result: CliResult, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^vidmem: /);
  expect(lines[0]).not.toMatch(/internal error/);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\bat .*\.(js|ts):\d+/);
}

/** The good video ingested first must stay searchable whatever happens after. */
async function expectStoreIntact(): Promise<void> {
  const search = await vidmem(['search', 'blue', '--store', store, '--json']);
  expect(search.code).toBe(0);
  expect(JSON.parse(search.stdout).results[0]).toMatchObject({ videoId: 1, start: 4, end: 8 });
  const videos = JSON.parse((await vidmem(['videos', '--store', store, '--json'])).stdout).videos;
  expect(videos[0]).toMatchObject({ id: 1, status: 'complete', clips: 2 });
}

beforeAll(async () => {
  dir = tempDir();
  store = join(dir, 'store');
  const good = join(dir, 'good.mp4');
  await renderSegments(good, [
    { seconds: 4, layout: { full: 'red' } },
    { seconds: 4, layout: { full: 'blue' } },
  ], { motion: true });
  expect((await vidmem(['ingest', good, '--store', store, '--model', 'palette'])).code).toBe(0);
});

describe('bad input to ingest', () => {
  it.each([
    ['a missing path', () => join(dir, 'nope.mp4'), /nope\.mp4: no such file/],
    ['a directory', () => dir, /is a directory/],
    ['an empty file', () => { const p = join(dir, 'empty.mp4'); writeFileSync(p, ''); return p; }, /empty\.mp4: file is empty/],
    ['a text file', () => { const p = join(dir, 'notes.mp4'); writeFileSync(p, 'shopping list\n'.repeat(100)); return p; }, /notes\.mp4: not a readable video \(.+\)/],
  ])('%s gets one clear line and leaves the store alone', async (_what, make, pattern) => {
    expectOneLineFailure(await vidmem(['ingest', make(), '--store', store]), pattern);
    await expectStoreIntact();
  });

  it('a video whose header is corrupt', async () => {
    const bytes = readFileSync(join(dir, 'good.mp4'));
    bytes.fill(0x5a, 0, 2048);
    const corrupt = join(dir, 'corrupt.mp4');
    writeFileSync(corrupt, bytes);
    expectOneLineFailure(await vidmem(['ingest', corrupt, '--store', store]), /corrupt\.mp4: not a readable video/);
    await expectStoreIntact();
  });

  it('an mp4 cut in half (index lost)', async () => {
    const long = join(dir, 'long.mp4');
    await renderSegments(long, [{ seconds: 20, layout: { full: 'green' } }], { motion: true });
    const bytes = readFileSync(long);
    const cut = join(dir, 'cut.mp4');
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    expectOneLineFailure(await vidmem(['ingest', cut, '--store', store]), /cut\.mp4: not a readable video \(moov atom not found\)/);
    await expectStoreIntact();
  });

  it('a Matroska file cut short keeps what was decoded, marked incomplete', async () => {
    const mkv = join(dir, 'long.mkv');
    const made = await runProcess(mediaTools().ffmpeg.path, ['-loglevel', 'error', '-i', join(dir, 'long.mp4'), '-c', 'copy', mkv]);
    expect(made.code).toBe(0);
    const bytes = readFileSync(mkv);
    const truncated = join(dir, 'truncated.mkv');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    const result = await vidmem(['ingest', truncated, '--store', store]);
    expectOneLineFailure(result, /truncated\.mkv: file is truncated or corrupt \(decoding stopped at \d+\.\d s of 20\.0 s; the \d+ clips before that are stored\)/);
    expect(result.code).toBe(3);
    const videos = JSON.parse((await vidmem(['videos', '--store', store, '--json'])).stdout).videos;
    expect(videos.find((v: { path: string }) => v.path.endsWith('truncated.mkv'))).toMatchObject({ status: 'incomplete' });
    expect((await vidmem(['videos', '--store', store])).stdout).toMatch(/truncated\.mkv {2}\[incomplete: the file could be decoded up to 00:\d\d\]/);
    await expectStoreIntact();
  });

  it('a model folder that is not a model', async () => {
    const empty = join(dir, 'not-a-model');
    mkdirSync(empty, { recursive: true });
    const fresh = join(dir, 'fresh-store');
    expectOneLineFailure(await vidmem(['ingest', join(dir, 'good.mp4'), '--store', fresh, '--model', empty]), /not-a-model has no config\.json/);
    expectOneLineFailure(await vidmem(['ingest', join(dir, 'good.mp4'), '--store', store, '--model', 'no-such-model']), /unknown model 'no-such-model'/);
    await expectStoreIntact();
  });
});

describe('unreadable stores', () => {
  it('a store path that is a file', async () => {
    const file = join(dir, 'store-file');
    writeFileSync(file, 'x');
    expectOneLineFailure(await vidmem(['ingest', join(dir, 'good.mp4'), '--store', file]), /store-file/);
    expectOneLineFailure(await vidmem(['search', 'red', '--store', file]), /store-file/);
  });

  it('a database file that is not a database is refused and left untouched', async () => {
    const bad = join(dir, 'garbage-store');
    mkdirSync(bad);
    const garbage = Buffer.from('this is not sqlite at all '.repeat(200));
    writeFileSync(join(bad, 'vidmem.db'), garbage);
    expectOneLineFailure(await vidmem(['ingest', join(dir, 'good.mp4'), '--store', bad, '--model', 'palette']), /garbage-store/);
    expectOneLineFailure(await vidmem(['videos', '--store', bad]), /garbage-store/);
    const after = readFileSync(join(bad, 'vidmem.db'));
    expect(createHash('sha256').update(after).digest('hex')).toBe(createHash('sha256').update(garbage).digest('hex'));
  });

  it('searching a store that does not exist says to ingest first', async () => {
    expectOneLineFailure(await vidmem(['search', 'red', '--store', join(dir, 'never-made')]), /no store at .*never-made; ingest a video first/);
  });
});

describe('bad command lines', () => {
  it('unknown options and bad numbers exit 2 with usage help', async () => {
    const result = await vidmem(['ingest', 'x.mp4', '--fps', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--fps must be a number from 0.01 to 30, got 'fast'/);
  });
});

describe('ffmpeg binaries chosen by the environment', () => {
  it('a wrong VIDMEM_FFMPEG is named in one line', async () => {
    const good = join(dir, 'good.mp4');
    const other = join(dir, 'other-store');
    expectOneLineFailure(
      await vidmem(['ingest', good, '--store', other, '--model', 'palette'], { env: { VIDMEM_FFMPEG: '/nonexistent/ffmpeg' } }),
      /cannot run ffmpeg \/nonexistent\/ffmpeg \(from VIDMEM_FFMPEG\): ENOENT/,
    );
    // A file that yielded no clip leaves no half-registered video behind.
    expect(JSON.parse((await vidmem(['videos', '--store', other, '--json'])).stdout)).toEqual({ videos: [] });
    const doctor = await vidmem(['doctor', '--json'], { env: { VIDMEM_FFMPEG: '/nonexistent/ffmpeg' } });
    expect(JSON.parse(doctor.stdout).ffmpeg).toMatchObject({ path: '/nonexistent/ffmpeg', origin: 'env' });
  });
});

describe('several files at once', () => {
  it('a bad file among good ones is reported in one line and the others are ingested', async () => {
    const other = join(dir, 'other.mp4');
    await renderSegments(other, [{ seconds: 4, layout: { full: 'magenta' } }], { motion: true });
    const result = await vidmem(['ingest', join(dir, 'missing.mp4'), other, '--store', store, '--json']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^vidmem: .*missing\.mp4: no such file\n$/);
    // --json gives every file its line, the failed one included.
    const [failed, stored, ...rest] = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(failed).toEqual({ path: join(dir, 'missing.mp4'), error: `${join(dir, 'missing.mp4')}: no such file` });
    expect(stored).toMatchObject({ path: other, clips: 1, alreadyIngested: false });
    expect(rest).toEqual([]);
    await expectStoreIntact();
  });
});
