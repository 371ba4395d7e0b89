import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { filter, lastValueFrom, take, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/core/config.js';
import { formatTimestamp } from '../src/core/time-format.js';
import type { ReindexEvent, ReindexSummary } from '../pipelines/reindex-text.js';
import { renderSampleLecture, SAMPLE_LECTURE, slideTimes } from '../pipelines/sample-lecture.js';
import { openVidmem } from '../pipelines/vidmem.js';
import { LECTURE_FONT } from '../src/sources/synthetic-lecture.js';
import { tempDir, vidmem } from './helpers/cli.js';

const config = readConfig();
const TIMES = slideTimes(SAMPLE_LECTURE);

describe.skipIf(!existsSync(LECTURE_FONT))('vidmem reindex --text', () => {
  let dir: string;
  let video: string;
  const ingestWithoutText = async (store: string, file = video) => {
    const result = await vidmem(['ingest', file, '--store', join(dir, store), '--model', 'palette', '--scene-cuts', '--ocr', 'off', '--subtitles', 'off', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ textLines: 0 });
  };
  const reindex = (store: string, ...flags: string[]) => vidmem(['reindex', '--text', '--store', join(dir, store), ...flags]);

  beforeAll(async () => {
    dir = tempDir();
    video = join(dir, 'photosynthesis.mp4');
    await renderSampleLecture(video, SAMPLE_LECTURE, config);
  }, 60_000);

  it('reads the slides of a video stored without text, so that its words find it, and then has nothing left to do', async () => {
    await ingestWithoutText('store');
    const before = await vidmem(['search', 'Rubisco', '--store', join(dir, 'store')]);
    expect(before.stderr).toMatch(/knows none of the words/);

    const first = await reindex('store', '--json');
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout) as ReindexSummary;
    expect(summary).toMatchObject({ videoId: 1, ocrFrames: SAMPLE_LECTURE.length, upToDate: false });
    expect(summary.textLines).toBeGreaterThan(0);

    const after = await vidmem(['search', 'Rubisco', '--store', join(dir, 'store'), '--top', '1']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain(`[${formatTimestamp(TIMES[3]!.start)}] slide: "Rubisco"`);

    const again = await reindex('store');
    expect(again.stdout).toMatch(/already read; nothing to do/);
  }, 180_000);

  it('resumes after an interruption, reading only the clips it had not finished, and ends with the same text as one run', async () => {
    await ingestWithoutText('whole');
    const whole = JSON.parse((await reindex('whole', '--json')).stdout) as ReindexSummary;

    await ingestWithoutText('interrupted');
    const app = openVidmem(join(dir, 'interrupted'), { config });
    let resumed: ReindexSummary;
    let firstPart: ReindexEvent[];
    try {
      // Stopped after three clips (a slide each): as a Ctrl-C would stop it.
      firstPart = await lastValueFrom(app.reindexText(1).pipe(filter((e) => e.type === 'progress'), take(3), toArray()));
      resumed = (await lastValueFrom(app.reindexText(1))) as ReindexSummary;
    } finally {
      await app.close();
    }
    expect(firstPart).toHaveLength(3);
    const stoppedAt = firstPart.at(-1)!.type === 'progress' ? (firstPart.at(-1) as { position: number }).position : 0;
    const unreadSlides = TIMES.filter((t) => t.end > stoppedAt).length;
    expect(resumed.ocrFrames).toBe(unreadSlides);
    expect(resumed.ocrFrames).toBeLessThan(SAMPLE_LECTURE.length);

    const texts = async (store: string) => {
      const result = await vidmem(['search', 'Photosynthesis light reactions Calvin Rubisco Summary', '--store', join(dir, store), '--top', '20', '--json']);
      expect(result.code, result.stderr).toBe(0);
      const { results } = JSON.parse(result.stdout) as { results: Array<{ start: number; end: number; score: number; text: unknown }> };
      return results.map(({ start, end, score, text }) => ({ start, end, score, text }));
    };
    expect(await texts('interrupted')).toEqual(await texts('whole'));
    expect(whole.textLines).toBeGreaterThan(0);
  }, 240_000);

  it('reports a video whose file is gone in one line and goes on with the others', async () => {
    const moved = join(dir, 'moved.mp4');
    const copy = join(dir, 'copy.mkv');
    await renderSampleLecture(moved, SAMPLE_LECTURE.slice(0, 2), config);
    await renderSampleLecture(copy, SAMPLE_LECTURE.slice(2, 4), config);
    await ingestWithoutText('two', moved);
    await ingestWithoutText('two', copy);
    renameSync(moved, join(dir, 'elsewhere.mp4'));
    const result = await reindex('two');
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/video 1: .*moved\.mp4 is not there any more/)]);
    expect(result.stdout).toMatch(/video 2 .*copy\.mkv: \d+ text lines added/);
  }, 180_000);

  it('asks what to reindex when --text is missing', async () => {
    const result = await vidmem(['reindex', '--store', join(dir, 'store')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--text/);
  });
});
