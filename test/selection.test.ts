import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastValueFrom } from 'rxjs';
import { openVidmem } from '../pipelines/vidmem.js';
import type { TextEncoder } from '../src/core/ports/encoders.js';
import { renderSegments, type Segment } from '../src/sources/synthetic-video.js';
import { questionKind } from '../src/selection/question-kind.js';
import { selectMemories } from '../src/selection/select-memories.js';
import { DEFAULT_SELECT, type SelectOptions } from '../src/selection/select-options.js';
import type { Selection } from '../src/selection/selection.js';
import { MemoryStore } from '../storage/memory-store.js';
import { tempDir } from './helpers/cli.js';
import { openText } from './helpers/models.js';

/**
 * Two minutes in 4 s clips (30 clips): a black and white haystack with two short needles that
 * straddle clip boundaries, one long red scene of six clips and a blue one. No question asks for
 * black or white, so only the planted scenes answer.
 */
const SEGMENTS: Segment[] = [
  { seconds: 20, layout: { full: 'black' } },
  { seconds: 10, layout: { full: 'blue' } },
  { seconds: 3, layout: { left: 'red', right: 'blue' } }, // 30–33
  { seconds: 15, layout: { full: 'black' } },
  { seconds: 24, layout: { full: 'red' } }, // 48–72, clips 12–17
  { seconds: 14, layout: { full: 'white' } },
  { seconds: 3, layout: { top: 'lime', bottom: 'magenta' } }, // 86–89; ffmpeg's "green" is #008000, the palette's is lime
  { seconds: 31, layout: { full: 'black' } },
];
const CLIPS = 30;

let dir: string;
let store: MemoryStore;
let text: TextEncoder;

beforeAll(async () => {
  dir = tempDir('vidmem-selection-');
  const video = join(dir, 'needles.mp4');
  // The moving square keeps frames from being static, which would merge their clips into one.
  await renderSegments(video, SEGMENTS, { width: 160, height: 120, fps: 4, gop: 4, motion: true });
  const storeDir = join(dir, 'store');
  const app = openVidmem(storeDir, { model: { model: 'palette' } });
  await lastValueFrom(app.ingest(video)).finally(() => app.close());
  store = MemoryStore.open(storeDir, { create: false, readonly: true });
  text = await openText('palette');
});

afterAll(async () => {
  await text?.dispose();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function select(question: string, options: Partial<SelectOptions> = {}): Promise<Selection> {
  const [vector] = await text.encodeTexts([question]);
  return selectMemories(store.videos, { text: question, vector: vector! }, { ...DEFAULT_SELECT, ...options });
}

const overlaps = (m: { start: number; end: number }, start: number, end: number): boolean => m.start < end && start < m.end;
const best = (s: Selection) => [...s.selected].sort((a, b) => b.score - a.score)[0];

describe('adaptive memory selection', () => {
  it('stores the video as the clips the tests count on', () => {
    expect(store.videos.clipsOf(1)).toHaveLength(CLIPS);
  });

  it.each([
    ['red on the left', 30, 33],
    ['green at the top', 86, 89],
    ['magenta at the bottom', 86, 89],
  ])('"%s" selects the needle at %i–%i s first', async (question, start, end) => {
    const selection = await select(question);
    expect(selection.kind).toBe('moment');
    expect(overlaps(best(selection), start, end)).toBe(true);
    // The ranking the explanation shows agrees: its first decision is the needle, kept.
    const first = selection.decisions[0];
    expect(first.verdict).toBe('kept');
    expect(overlaps({ start: first.candidate.focusStart, end: first.candidate.focusEnd }, start, end)).toBe(true);
  });

  it('finds a needle that fills only part of its clips by their memory tokens, where indicators alone miss it', async () => {
    // 3 s of red-left straddle two 4 s clips: each clip's mean is mostly black, while the red scene's is all red.
    const indicatorsOnly = await select('red on the left', { useMemory: false });
    expect(overlaps(best(indicatorsOnly), 48, 72)).toBe(true);
    const withMemory = await select('red on the left');
    expect(overlaps(best(withMemory), 30, 33)).toBe(true);
    expect(best(withMemory).score).toBeGreaterThan(best(indicatorsOnly).score);
  });

  it('follows what later clips remember back to a needle the index did not offer', async () => {
    // An index that gives 4 hits offers only red-scene clips; their memories still hold the needle.
    const selection = await select('red on the left', { indexHits: 4, candidates: 4 });
    expect(selection.decisions.filter((d) => d.candidate.via === null).every((d) => d.candidate.index >= 12)).toBe(true);
    const needle = best(selection);
    expect(overlaps(needle, 30, 33)).toBe(true);
    expect(needle.clip.via).not.toBeNull();
    expect(overlaps(best(await select('red on the left', { indexHits: 4, candidates: 4, useMemory: false })), 30, 33)).toBe(false);
  });

  it('narrows a needle to the span its memory tokens saw, not beyond its clips', async () => {
    const selection = await select('red on the left');
    const needle = best(selection);
    expect(needle.start).toBeGreaterThanOrEqual(28);
    expect(needle.end).toBeLessThanOrEqual(36);
  });

  it('keeps one moment for a long scene instead of filling the budget with its clips', async () => {
    const selection = await select('red');
    const inScene = selection.selected.filter((m) => overlaps(m, 48, 72));
    expect(inScene).toHaveLength(1);
    // The moment covers the scene, and uses one clip's memory for it, not six.
    expect(inScene[0].start).toBeLessThanOrEqual(49);
    expect(inScene[0].end).toBeGreaterThanOrEqual(71);
    const kept = selection.decisions.find((d) => d.candidate.clipId === inScene[0].clip.clipId)!;
    expect(kept.reason).toMatch(/covers 6 clips/);
    const others = selection.decisions.filter((d) => d !== kept && overlaps(d.candidate, 48, 72));
    for (const d of others) expect(d.verdict).toMatch(/merged|suppressed/);
  });

  it('adapts the number of moments to the scores: a clear winner is used alone', async () => {
    // The red scene matches too (a red left half), but far less well than the needle.
    const selection = await select('red on the left');
    expect(selection.selected).toHaveLength(1);
    const scene = selection.decisions.find((d) => d.verdict === 'below-mass');
    expect(scene && overlaps({ start: scene.candidate.start, end: scene.candidate.end }, 48, 72)).toBe(true);
    // When nothing stands out, the mass is shared and more moments are used.
    expect((await select('red on the left', { temperature: 10 })).selected.length).toBeGreaterThan(1);
  });

  it('never passes the token budget, counting the real tokens of each clip', async () => {
    // A temperature this high flattens the softmax: every moment is wanted, so the budget decides.
    for (const budget of [8, 12, 20, 256]) {
      const selection = await select('red', { temperature: 10, budget });
      const used = selection.selected.reduce((n, m) => n + m.clip.tokens.length, 0);
      expect(selection.tokensUsed).toBe(used);
      expect(used).toBeLessThanOrEqual(budget);
      expect(selection.selected.length).toBe(budget < 16 ? 1 : 2);
      if (budget < 16) expect(selection.decisions.some((d) => d.verdict === 'over-budget')).toBe(true);
    }
  });

  it('orders the selected moments in time', async () => {
    const selection = await select('red', { temperature: 10 });
    expect(selection.selected.length).toBeGreaterThan(1);
    const starts = selection.selected.map((m) => m.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('spreads a whole-video question over the timeline, ending with the last clip', async () => {
    const selection = await select('What happens in this video?', { budget: 48 });
    expect(selection.kind).toBe('whole-video');
    const indices = selection.selected.map((m) => m.clip.index);
    expect(indices).toHaveLength(6);
    expect(indices.at(-1)).toBe(CLIPS - 1);
    expect(indices[0]).toBeLessThan(CLIPS / 6);
    const gaps = indices.slice(1).map((index, i) => index - indices[i]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(CLIPS / 6 - 1);
    expect(selection.tokensUsed).toBeLessThanOrEqual(48);
    expect(selection.decisions.at(-1)!.reason).toMatch(/covers the whole video/);
  });

  it('gives a whole-video question as many memories as the default budget holds', async () => {
    const selection = await select('Summarize the video');
    expect(selection.selected).toHaveLength(Math.min(CLIPS, DEFAULT_SELECT.budget / 8));
  });

});

describe('question kind', () => {
  it.each([
    'What happens in this video?',
    "what's going on in the recording",
    'Summarize it',
    'give me an overview',
    'What is this video about?',
    'describe the whole video',
    'tl;dr',
  ])('"%s" is about the whole video', (q) => expect(questionKind(q)).toBe('whole-video'));

  it.each(['red on the left', 'When does the speaker show the chart?', 'what happens after the red scene'])(
    '"%s" is about a moment',
    (q) => expect(questionKind(q)).toBe('moment'),
  );
});
