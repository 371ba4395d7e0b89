/**
 * A count in an answer is true: twelve red scenes that score alike are twelve moments, whatever
 * the softmax's mass says, and when the budget cannot hold them all the answer says how many more
 * there are. Moments that tie are not ranked against each other.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderSegments, type Segment } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem } from './helpers/cli.js';

const SCENES = 12;
/** Twelve 6-second red scenes, 14 seconds of other colours between them: four minutes. */
const SEGMENTS: Segment[] = Array.from({ length: SCENES }, (_, i): Segment[] => [
  { seconds: 6, layout: { full: 'red' } },
  { seconds: 14, layout: { full: i % 2 ? 'blue' : 'white' } },
]).flat();
const RED_STARTS = Array.from({ length: SCENES }, (_, i) => i * 20);

interface AskJson {
  answer: string;
  evidence: Array<{ start: number; end: number; score: number }>;
}

let store: string;

beforeAll(async () => {
  const dir = tempDir('vidmem-counts-');
  const video = join(dir, 'twelve-reds.mp4');
  store = join(dir, 'store');
  await renderSegments(video, SEGMENTS, { width: 160, height: 120, fps: 2, gop: 2, motion: true });
  const ingest = await vidmem(['ingest', video, '--store', store, '--model', 'palette', '--json']);
  expect(ingest.code, ingest.stderr).toBe(0);
});

const covered = (e: { start: number; end: number }) => RED_STARTS.filter((s) => e.start < s + 6 && s < e.end);

describe('moments that score alike', () => {
  it('are all listed by search', async () => {
    const result = await vidmem(['search', 'red', '--store', store, '--top', '20', '--json']);
    const { results } = JSON.parse(result.stdout) as { results: AskJson['evidence'] };
    const red = results.filter((r) => covered(r).length > 0);
    expect(red.flatMap(covered).sort((a, b) => a - b)).toEqual(RED_STARTS);
  });

  it('are all used by an answer, which counts them truly and ranks none above the others', async () => {
    const result = await vidmem(['ask', 'when is it red?', '--store', store, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { answer, evidence } = JSON.parse(result.stdout) as AskJson;
    expect(evidence.flatMap(covered).sort((a, b) => a - b)).toEqual(RED_STARTS);
    expect(answer).toMatch(new RegExp(`^${evidence.length} moments match "when is it red\\?" equally well`));
    expect(answer).not.toMatch(/best match|about as strong/);
  });

  it('that the budget cannot hold are counted in the answer', async () => {
    const result = await vidmem(['ask', 'when is it red?', '--store', store, '--json', '--budget', '40']);
    expect(result.code, result.stderr).toBe(0);
    const { answer, evidence } = JSON.parse(result.stdout) as AskJson;
    expect(evidence.length).toBeLessThan(SCENES);
    const shown = evidence.flatMap(covered).length;
    expect(answer).toContain(`${evidence.length} moments match`);
    expect(answer).toContain(`; ${SCENES - shown} more match as well but are not listed`);
  });
});
