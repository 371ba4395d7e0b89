import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/core/config.js';
import type { IngestEvent, IngestSummary } from '../pipelines/ingest-file.js';
import { openVidmem, type IngestOptions } from '../pipelines/vidmem.js';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { runProcess } from '../src/sources/run-process.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem } from './helpers/cli.js';

const config = readConfig();
const ffmpeg = mediaTools(config.binaries).ffmpeg;

/** A cue in the middle of a 30-second video whose picture says nothing of it. */
const SRT = `1
00:00:02,000 --> 00:00:04,000
Good morning, everyone.

2
00:00:13,000 --> 00:00:15,500
The mitochondria is the <i>powerhouse</i> of the cell.

3
00:00:24,000 --> 00:00:26,000
See you next week.
`;

const VTT = `WEBVTT

00:00:06.000 --> 00:00:08.000
<v Lecturer>Ribosomes build proteins from amino acids.
`;

async function ingest(video: string, store: string, options: IngestOptions = {}, query = 'powerhouse of the cell') {
  const notices: string[] = [];
  const app = openVidmem(store, { config, model: { model: 'palette' }, onNotice: (m) => notices.push(m) });
  try {
    const events: IngestEvent[] = await lastValueFrom(app.ingest(video, options).pipe(toArray()));
    const summary = events.at(-1) as IngestSummary;
    const [hit] = query ? await app.search(query, { top: 1 }) : [];
    return { summary, hit, notices };
  } finally {
    await app.close();
  }
}

async function mux(video: string, subtitles: string, out: string, codec: string): Promise<void> {
  const result = await runProcess(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-i', video, '-i', subtitles, '-map', '0:v', '-map', '1:s', '-c:v', 'copy', '-c:s', codec, out]);
  expect(result.code, result.stderr).toBe(0);
}

describe('subtitles', () => {
  let dir: string;
  let plain: string;
  beforeAll(async () => {
    dir = tempDir();
    plain = join(dir, 'plain.mp4');
    await renderSegments(plain, [{ seconds: 30, layout: { full: 'gray' } }], { width: 160, height: 120, fps: 2, motion: true });
    writeFileSync(join(dir, 'cues.srt'), SRT);
  }, 60_000);

  it("finds a sidecar .srt cue's words at the cue's time, markup taken out", async () => {
    const video = join(dir, 'talk.mp4');
    copyFileSync(plain, video);
    writeFileSync(join(dir, 'talk.srt'), SRT);
    const { summary, hit } = await ingest(video, join(dir, 'sidecar-store'));
    expect(summary.textLines).toBe(3);
    expect(hit).toBeDefined();
    expect(hit!.start).toBeLessThanOrEqual(13);
    expect(hit!.end).toBeGreaterThanOrEqual(15.5);
    expect(hit!.text[0]).toEqual({ channel: 'subtitle', text: 'The mitochondria is the powerhouse of the cell.', start: 13, end: 15.5 });
  }, 120_000);

  it.each([
    ['a Matroska SubRip stream', 'embedded.mkv', 'srt'],
    ['an MP4 mov_text stream', 'embedded.mp4', 'mov_text'],
  ])("reads the cues of %s inside the video", async (_what, name, codec) => {
    const video = join(dir, name);
    await mux(plain, join(dir, 'cues.srt'), video, codec);
    const { summary, hit } = await ingest(video, join(dir, `${name}-store`));
    expect(summary.textLines).toBe(3);
    expect(hit!.text[0]).toMatchObject({ channel: 'subtitle', text: 'The mitochondria is the powerhouse of the cell.', start: 13, end: 15.5 });
  }, 120_000);

  it('reports a malformed subtitle file in one line and ingests the video, keeping the cues it could read', async () => {
    const video = join(dir, 'broken.mp4');
    copyFileSync(plain, video);
    writeFileSync(join(dir, 'broken.srt'), SRT.replace('00:00:24,000 --> 00:00:26,000', '00:00:24,000 --> banana'));
    const { summary, hit, notices } = await ingest(video, join(dir, 'broken-store'));
    expect(summary.type).toBe('done');
    expect(summary.clips).toBeGreaterThan(0);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/broken\.srt/);
    expect(notices[0]).not.toContain('\n');
    expect(hit!.text[0]).toMatchObject({ text: 'The mitochondria is the powerhouse of the cell.' });
  }, 120_000);

  it('reports a subtitle file with no cue at all and stores the video without text', async () => {
    const video = join(dir, 'junk.mp4');
    copyFileSync(plain, video);
    writeFileSync(join(dir, 'junk.vtt'), 'this is not WebVTT\n\x00\x01\x02');
    const { summary, notices } = await ingest(video, join(dir, 'junk-store'), {}, '');
    expect(summary).toMatchObject({ type: 'done', textLines: 0 });
    expect(notices).toEqual([expect.stringMatching(/junk\.vtt: .*ingesting without subtitles$/)]);
  }, 120_000);

  describe('on the command line', () => {
    let video: string;
    beforeAll(() => {
      video = join(dir, 'cli.mp4');
      copyFileSync(plain, video);
      writeFileSync(join(dir, 'cli.srt'), SRT);
      writeFileSync(join(dir, 'other.vtt'), VTT);
    });
    const ingestJson = async (store: string, ...flags: string[]) => {
      const result = await vidmem(['ingest', video, '--store', join(dir, store), '--model', 'palette', '--json', ...flags]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as IngestSummary;
    };

    it('takes --subtitles FILE instead of the file beside the video', async () => {
      expect(await ingestJson('flag-store', '--subtitles', join(dir, 'other.vtt'))).toMatchObject({ textLines: 1 });
      const search = await vidmem(['search', 'ribosomes build proteins', '--store', join(dir, 'flag-store'), '--top', '1', '--json']);
      expect(search.code, search.stderr).toBe(0);
      expect(search.stdout).toContain('Ribosomes build proteins from amino acids.');
    }, 120_000);

    it('leaves subtitles out in the surveillance preset unless --subtitles asks for them', async () => {
      expect(await ingestJson('surveillance-store', '--preset', 'surveillance')).toMatchObject({ textLines: 0 });
      expect(await ingestJson('override-store', '--preset', 'surveillance', '--subtitles', 'auto')).toMatchObject({ textLines: 3 });
      expect(await ingestJson('off-store', '--subtitles', 'off')).toMatchObject({ textLines: 0 });
    }, 120_000);

    it('stops with one line when the named subtitle file is missing, storing nothing', async () => {
      const result = await vidmem(['ingest', video, '--store', join(dir, 'missing-store'), '--model', 'palette', '--subtitles', join(dir, 'nope.srt')]);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('nope.srt')]);
      const videos = await vidmem(['videos', '--store', join(dir, 'missing-store'), '--json']);
      expect(JSON.parse(videos.stdout)).toEqual({ videos: [] });
    }, 120_000);

    it('refuses an unknown preset, naming the presets', async () => {
      const result = await vidmem(['ingest', video, '--store', join(dir, 'bad-preset'), '--preset', 'sports']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/lecture.*surveillance.*chat/);
    });
  });
});
