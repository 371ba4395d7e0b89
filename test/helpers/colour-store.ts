import { join } from 'node:path';
import { expect } from 'vitest';
import { renderSegments, type Segment } from '../../src/sources/synthetic-video.js';
import { vidmem } from './cli.js';

/** Red, then blue, then green, 8 s each: where every colour is, is known to the second. */
export const RED_BLUE_GREEN: readonly Segment[] = [
  { seconds: 8, layout: { full: 'red' } },
  { seconds: 8, layout: { full: 'blue' } },
  { seconds: 8, layout: { full: 'green' } },
];

/** A store in `dir` holding one generated video, ingested with the built-in palette model. */
export async function colourStore(dir: string, segments: readonly Segment[] = RED_BLUE_GREEN): Promise<{ store: string; video: string }> {
  const store = join(dir, 'store');
  const video = join(dir, 'colours.mp4');
  await renderSegments(video, segments, { motion: true });
  const ingest = await vidmem(['ingest', video, '--store', store, '--model', 'palette']);
  expect(ingest.code, ingest.stderr).toBe(0);
  return { store, video };
}
