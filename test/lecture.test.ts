import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/core/config.js';
import { formatTimestamp } from '../src/core/time-format.js';
import type { IngestEvent, IngestSummary } from '../pipelines/ingest-file.js';
import { renderSampleLecture, SAMPLE_LECTURE, slideTimes } from '../pipelines/sample-lecture.js';
import { openVidmem, type IngestOptions } from '../pipelines/vidmem.js';
import { LECTURE_FONT } from '../src/sources/synthetic-lecture.js';
import { tempDir, vidmem } from './helpers/cli.js';

const config = readConfig();
const TIMES = slideTimes(SAMPLE_LECTURE);
const LECTURE = { settings: { sceneCuts: true, sampling: 'fps', fps: 1 }, ocr: true } as const satisfies IngestOptions;

async function ingest(video: string, store: string, options: IngestOptions, notices: string[] = []): Promise<{ summary: IngestSummary; app: ReturnType<typeof openVidmem> }> {
  const app = openVidmem(store, { config, model: { model: 'palette' }, onNotice: (m) => notices.push(m) });
  const events: IngestEvent[] = await lastValueFrom(app.ingest(video, options).pipe(toArray()));
  const summary = events.at(-1);
  if (summary?.type !== 'done') throw new Error('no summary');
  return { summary, app };
}

describe.skipIf(!existsSync(LECTURE_FONT))('a lecture read by OCR', () => {
  let dir: string;
  let video: string;
  beforeAll(async () => {
    dir = tempDir();
    video = join(dir, 'photosynthesis.mp4');
    await renderSampleLecture(video, SAMPLE_LECTURE, config);
  }, 60_000);

  it("stores each slide's title with the time the slide was shown, reading each slide once", async () => {
    const { summary, app } = await ingest(video, join(dir, 'store'), LECTURE);
    try {
      expect(summary.ocrFrames).toBe(SAMPLE_LECTURE.length);
      for (const [i, slide] of SAMPLE_LECTURE.entries()) {
        const [hit] = await app.search(slide.title, { top: 1 });
        expect(hit?.text.map((t) => t.text)).toContain(slide.title);
        expect(hit?.text.every((t) => t.channel === 'slide')).toBe(true);
        expect(hit!.start).toBeGreaterThanOrEqual(TIMES[i]!.start - 1);
        expect(hit!.end).toBeLessThanOrEqual(TIMES[i]!.end + 1);
      }
    } finally {
      await app.close();
    }
  }, 120_000);

  it("finds the slide that holds a phrase first, with palette, whose vectors know only colours", async () => {
    const { app } = await ingest(video, join(dir, 'store'), LECTURE);
    try {
      const [first] = await app.search('fixes carbon dioxide into sugar', { top: 3 });
      expect(first).toMatchObject({ start: TIMES[2]!.start, end: TIMES[2]!.end });
      expect(first!.text[0]).toMatchObject({ channel: 'slide', text: 'Fixes carbon dioxide into sugar' });
    } finally {
      await app.close();
    }
  }, 120_000);

  it('reads a slide held for two minutes once, not 120 times', async () => {
    const held = join(dir, 'held.mp4');
    await renderSampleLecture(held, [{ ...SAMPLE_LECTURE[2]!, seconds: 120 }], config);
    const { summary, app } = await ingest(held, join(dir, 'held-store'), LECTURE);
    await app.close();
    expect(summary.framesDecoded).toBeGreaterThanOrEqual(119);
    expect(summary.ocrFrames).toBe(1);
  }, 120_000);

  it('reads nothing when OCR is off', async () => {
    const { summary, app } = await ingest(video, join(dir, 'no-ocr'), { ...LECTURE, ocr: false });
    await app.close();
    expect(summary).toMatchObject({ ocrFrames: 0, textLines: 0 });
  }, 120_000);

  it('reads slides on the command line with --preset lecture, and not when --ocr off overrides the preset', async () => {
    const run = (store: string, ...flags: string[]) => vidmem(['ingest', video, '--store', join(dir, store), '--model', 'palette', '--preset', 'lecture', ...flags]);
    const withOcr = await run('cli-lecture');
    expect(withOcr.code, withOcr.stderr).toBe(0);
    expect(withOcr.stdout).toMatch(/; \d+ text lines, 6 frames read by OCR in [\d.]+ s\)/);
    const search = await vidmem(['search', 'Rubisco', '--store', join(dir, 'cli-lecture'), '--top', '1']);
    expect(search.stdout).toContain(`[${formatTimestamp(TIMES[3]!.start)}`);
    const without = await run('cli-no-ocr', '--ocr', 'off', '--json');
    expect(without.code, without.stderr).toBe(0);
    expect(JSON.parse(without.stdout)).toMatchObject({ ocrFrames: 0, textLines: 0 });
  }, 180_000);
});
