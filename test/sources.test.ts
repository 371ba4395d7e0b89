/**
 * Files as they come (issue 9, items 2–5 and 11): identity by content, recordings that grew,
 * truncated and very short files, MPEG-TS, names ffmpeg could misread, and resumes asked for
 * with other settings. Real ffmpeg-made media, the built CLI, real SQLite.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { grabFrame } from '../src/sources/grab-frame.js';
import { probeVideo } from '../src/sources/probe.js';
import { runProcess } from '../src/sources/run-process.js';
import { embeddedSubtitles } from '../src/sources/subtitle-sources.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem } from './helpers/cli.js';

const PALETTE = ['--model', 'palette'];
const ffmpeg = mediaTools().ffmpeg;
let dir: string;

async function make(args: readonly string[]): Promise<void> {
  const result = await runProcess(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  if (result.code !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${result.stderr}`);
}

/** A clip of one colour with a moving square, so that every frame is encoded. */
function colour(c: string, seconds: number, fps = 10): string[] {
  return ['-f', 'lavfi', '-i', `color=c=${c}:s=160x120:r=${fps}:d=${seconds}[bg];color=c=gray:s=12x12:r=${fps}[box];[bg][box]overlay=x='mod(t*40,W-w)':y=50:shortest=1,format=yuv420p`];
}

function clipsIn(store: string): Array<{ videoId: number; idx: number; start: number; end: number }> {
  const db = new Database(join(store, 'vidmem.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT video_id AS videoId, idx, start_sec AS start, end_sec AS end FROM clips ORDER BY video_id, idx').all() as Array<{ videoId: number; idx: number; start: number; end: number }>;
  } finally {
    db.close();
  }
}

async function videosOf(store: string): Promise<Array<{ id: number; path: string; status: string; clips: number }>> {
  return JSON.parse((await vidmem(['videos', '--store', store, '--json'])).stdout).videos;
}

beforeAll(() => {
  dir = tempDir();
});

describe('identity is the whole content', () => {
  it('two files of the same size that differ past the first MiB are two videos', async () => {
    // Constant-rate MPEG-TS: two 12-second files of the same size, spliced packet by packet.
    const red = join(dir, 'red.ts');
    const blue = join(dir, 'blue.ts');
    await make([...colour('red', 12), '-c:v', 'libx264', '-g', '10', '-muxrate', '4M', '-f', 'mpegts', red]);
    await make([...colour('blue', 12), '-c:v', 'libx264', '-g', '10', '-muxrate', '4M', '-f', 'mpegts', blue]);
    const a = readFileSync(red);
    const b = readFileSync(blue);
    const size = Math.min(a.length, b.length) - (Math.min(a.length, b.length) % 188);
    // The sampled hash read 1 MiB at the start, middle and end: the copy differs only elsewhere.
    const from = Math.ceil((size / 2 + (1 << 20)) / 188) * 188;
    const to = Math.floor((size - (1 << 20)) / 188) * 188 - 188;
    expect(to - from).toBeGreaterThan(1 << 19);
    const other = Buffer.from(a.subarray(0, size));
    b.copy(other, from, from, to);
    const first = join(dir, 'first.ts');
    const second = join(dir, 'second.ts');
    writeFileSync(first, a.subarray(0, size));
    writeFileSync(second, other);

    const store = join(dir, 'same-size');
    expect((await vidmem(['ingest', first, '--store', store, ...PALETTE, '--json'])).code).toBe(0);
    const result = await vidmem(['ingest', second, '--store', store, ...PALETTE, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ alreadyIngested: false, videoId: 2 });
    expect((await videosOf(store)).map((v) => v.path)).toEqual([first, second]);
  });

  it('a recording ingested while it was growing continues its video once finished', async () => {
    const full = join(dir, 'full.ts');
    await make([...colour('green', 6), ...colour('blue', 6), '-filter_complex', '[0][1]concat=n=2:v=1:a=0', '-c:v', 'libx264', '-g', '10', '-f', 'mpegts', full]);
    const bytes = readFileSync(full);
    const recording = join(dir, 'recording.ts');
    writeFileSync(recording, bytes.subarray(0, Math.floor(bytes.length * 0.45 / 188) * 188));
    const store = join(dir, 'growing');
    const args = ['--store', store, ...PALETTE, '--sampling', 'fps', '--repeat-threshold', '0', '--json'];
    const before = JSON.parse((await vidmem(['ingest', recording, ...args])).stdout);
    expect(before).toMatchObject({ videoId: 1, alreadyIngested: false });
    const stored = clipsIn(store);

    copyFileSync(full, recording);
    const after = await vidmem(['ingest', recording, ...args]);
    expect(after.code).toBe(0);
    const summary = JSON.parse(after.stdout);
    expect(summary).toMatchObject({ videoId: 1, alreadyIngested: false });
    expect(summary.resumedAt).toBeCloseTo(stored.at(-1)!.end, 3);

    expect(await videosOf(store)).toMatchObject([{ id: 1, status: 'complete' }]);
    const clips = clipsIn(store);
    expect(clips.slice(0, stored.length)).toEqual(stored);
    expect(clips.length).toBeGreaterThan(stored.length);
    clips.forEach((clip, i) => {
      expect(clip.idx).toBe(i);
      if (i > 0) expect(clip.start).toBeGreaterThanOrEqual(clips[i - 1].end - 1e-6);
    });
    expect(clips.at(-1)!.end).toBeGreaterThan(11);
    const search = JSON.parse((await vidmem(['search', 'blue', '--store', store, '--json'])).stdout);
    expect(search.results[0]).toMatchObject({ videoId: 1 });
    expect(search.results[0].start).toBeGreaterThanOrEqual(5.5);
    // The same finished file once more is the same video, complete.
    expect(JSON.parse((await vidmem(['ingest', recording, ...args])).stdout)).toMatchObject({ videoId: 1, alreadyIngested: true });
  });
});

describe('the end of a file', () => {
  it('a WebM cut to 60 % of its bytes is stored incomplete, not complete', async () => {
    const webm = join(dir, 'ten.webm');
    await make([...colour('red', 5), ...colour('blue', 5), '-filter_complex', '[0][1]concat=n=2:v=1:a=0', '-c:v', 'libvpx', '-b:v', '300k', webm]);
    const cut = join(dir, 'cut.webm');
    const bytes = readFileSync(webm);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const store = join(dir, 'truncated');
    const result = await vidmem(['ingest', cut, '--store', store, ...PALETTE]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cut\.webm: file is truncated or corrupt \(decoding stopped at \d\.\d s of 10\.0 s; the \d+ clips before that are stored\)\n$/);
    expect(await videosOf(store)).toMatchObject([{ status: 'incomplete' }]);
  });

  it.each([
    ['one frame', ['-frames:v', '1']],
    ['0.2 seconds', ['-t', '0.2']],
  ])('a video of %s is ingested', async (what, cut) => {
    const file = join(dir, `${what.replace(/\W/g, '-')}.mp4`);
    await make([...colour('red', 1, 25), ...cut, '-c:v', 'libx264', file]);
    const store = join(dir, `short-${what.replace(/\W/g, '-')}`);
    const result = await vidmem(['ingest', file, '--store', store, ...PALETTE, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ clips: 1, alreadyIngested: false });
    expect(await videosOf(store)).toMatchObject([{ status: 'complete', clips: 1 }]);
  });
});

describe('MPEG-TS', () => {
  it.each(['ts', 'm2ts'])('a .%s file made by the bundled ffmpeg is probed, ingested and searched', async (ext) => {
    const file = join(dir, `camera.${ext}`);
    await make([...colour('green', 4), ...colour('magenta', 4), '-f', 'lavfi', '-i', 'sine=d=8', '-filter_complex', '[0][1]concat=n=2:v=1:a=0[v]', '-map', '[v]', '-map', '2:a', '-c:v', 'libx264', '-g', '10', '-c:a', 'aac', '-f', 'mpegts', file]);
    const store = join(dir, `store-${ext}`);
    const result = await vidmem(['ingest', file, '--store', store, ...PALETTE, '--json']);
    expect(result.stderr).toBe('');
    const info = await probeVideo(file, ffmpeg);
    expect(info).toMatchObject({ width: 160, height: 120, fps: 10, codec: 'h264' });
    expect(info.durationSec).toBeCloseTo(8, 0);
    expect(JSON.parse(result.stdout)).toMatchObject({ clips: 2 });
    const search = JSON.parse((await vidmem(['search', 'magenta', '--store', store, '--json'])).stdout);
    expect(search.results[0]).toMatchObject({ path: file });
    // MPEG-TS starts its clock where the muxer did: times are within a frame of the scene's.
    expect(search.results[0].start).toBeCloseTo(4, 1);
    expect(search.results[0].end).toBeCloseTo(8, 1);
  });
});

describe('file names are file names', () => {
  it.each(['12:00:00.mp4', 'cam1:0001.mp4', '-report.mp4'])('%s is ingested, found, and its frames and subtitles read', async (name) => {
    const file = join(dir, name);
    await renderSegments(file, [{ seconds: 4, layout: { full: 'red' } }, { seconds: 4, layout: { full: 'blue' } }], { motion: true });
    const store = join(dir, `names-${name.replace(/\W/g, '_')}`);
    // Typed bare in its own folder, where ffmpeg would read it as a protocol or an option; stored absolute.
    // After `--`, as any command takes a name that starts with a dash.
    const result = await vidmem(['ingest', '--store', store, ...PALETTE, '--json', '--', name], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ path: file, clips: 2 });
    // `-report` read as an option makes ffmpeg write a log file into the working folder.
    expect(readdirSync(dir).filter((f) => /^ff(mpeg|probe)-.*\.log$/.test(f))).toEqual([]);
    const search = JSON.parse((await vidmem(['search', 'blue', '--store', store, '--json'])).stdout);
    expect(search.results[0]).toMatchObject({ path: file, start: 4, end: 8 });
    expect(isAbsolute(search.results[0].path)).toBe(true);
    expect(existsSync(search.results[0].thumbnail)).toBe(true);

    const video = await probeVideo(relative(process.cwd(), file), ffmpeg);
    expect(video.path).toBe(file);
    const frame = await grabFrame(video, 5, ffmpeg);
    expect([frame.rgb[0], frame.rgb[1], frame.rgb[2]]).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect(frame.rgb[2]).toBeGreaterThan(200);

    const subtitled = join(dir, name.replace('.mp4', '.mkv'));
    const srt = join(dir, 'cue.srt');
    writeFileSync(srt, '1\n00:00:01,000 --> 00:00:02,000\nhello there\n');
    await make(['-i', `file:${file}`, '-i', srt, '-map', '0', '-map', '1', '-c', 'copy', `file:${subtitled}`]);
    expect((await embeddedSubtitles(subtitled, ffmpeg))?.content).toMatch(/hello there/);
  });
});

describe('a resume with other settings', () => {
  it('is refused in one line naming the difference; the same settings resume', async () => {
    const webm = join(dir, 'resume.webm');
    await make([...colour('red', 6), ...colour('blue', 6), '-filter_complex', '[0][1]concat=n=2:v=1:a=0', '-c:v', 'libvpx', '-b:v', '300k', webm]);
    const cut = join(dir, 'resume-cut.webm');
    const bytes = readFileSync(webm);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.5)));
    const store = join(dir, 'resume-store');
    const first = await vidmem(['ingest', cut, '--store', store, ...PALETTE, '--tokens', '8', '--fps', '2']);
    expect(first.code).toBe(3);

    copyFileSync(webm, cut);
    const tokens = await vidmem(['ingest', cut, '--store', store, ...PALETTE, '--tokens', '2']);
    expect(tokens.code).toBe(2);
    expect(tokens.stderr).toBe(`vidmem: ${cut} (video 1) was ingested with --tokens 8; this run asks for --tokens 2: rerun with --tokens 8 (or without --tokens) to resume it, or ingest it into another --store\n`);
    const fps = await vidmem(['ingest', cut, '--store', store, ...PALETTE, '--fps', '1']);
    expect(fps.code).toBe(2);
    expect(fps.stderr).toMatch(/was ingested with --fps 2; this run asks for --fps 1/);
    const clipSeconds = await vidmem(['ingest', cut, '--store', store, ...PALETTE, '--clip-seconds', '2']);
    expect(clipSeconds.stderr).toMatch(/was ingested with --clip-seconds 4; this run asks for --clip-seconds 2/);

    const resumed = await vidmem(['ingest', cut, '--store', store, ...PALETTE, '--json']);
    expect(resumed.stderr).toBe('');
    expect(JSON.parse(resumed.stdout)).toMatchObject({ videoId: 1, alreadyIngested: false });
    expect((await videosOf(store))).toMatchObject([{ id: 1, status: 'complete' }]);
    const db = new Database(join(store, 'vidmem.db'), { readonly: true });
    expect(JSON.parse((db.prepare('SELECT settings_json AS s FROM videos').get() as { s: string }).s)).toMatchObject({ tokens: 8, fps: 2, clipSeconds: 4 });
    db.close();
  });
});
