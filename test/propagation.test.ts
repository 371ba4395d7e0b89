import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dot } from '../src/core/vector-math.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { MemoryStore } from '../storage/memory-store.js';
import { tempDir, vidmem } from './helpers/cli.js';
import { openText } from './helpers/models.js';

/** red, blue, green, yellow: 8 s each, two 4 s clips per colour. */
const COLOURS = ['red', 'blue', 'green', 'yellow'];

let store: MemoryStore;
let embed: (text: string) => Promise<Float32Array>;

beforeAll(async () => {
  const dir = tempDir();
  const video = join(dir, 'sequence.mp4');
  await renderSegments(video, COLOURS.map((c) => ({ seconds: 8, layout: { full: c } })), { motion: true });
  const result = await vidmem(['ingest', video, '--store', join(dir, 'store'), '--model', 'palette', '--tokens', '4', '--json']);
  expect(result.code).toBe(0);
  store = MemoryStore.open(join(dir, 'store'), { readonly: true });
  const text = await openText('palette');
  embed = async (t) => (await text.encodeTexts([t]))[0]!;
  return () => store.close();
});

describe('memory propagation', () => {
  it('carries earlier content into later memories while indicators stay local', async () => {
    const clips = store.videos.clipsOf(1);
    expect(clips).toHaveLength(8);
    const red = await embed('red');
    const last = store.videos.clipMemories([clips.at(-1)!.clipId]).get(clips.at(-1)!.clipId)!;
    // The yellow clip's own key knows nothing of red …
    expect(dot(last.indicator, red)).toBeLessThan(0.05);
    // … but its memory still holds a token that is red and dates from the start of the video.
    const redToken = last.tokens.reduce((a, b) => (dot(a.vector, red) >= dot(b.vector, red) ? a : b));
    expect(dot(redToken.vector, red)).toBeGreaterThan(0.3);
    expect(redToken.start).toBeLessThan(8);
  });

  it('keeps at most K tokens, each covering a span up to its clip, never the future', async () => {
    const yellow = await embed('yellow');
    for (const clip of store.videos.clipsOf(1)) {
      const memory = store.videos.clipMemories([clip.clipId]).get(clip.clipId)!;
      expect(memory.tokens.length).toBeGreaterThan(0);
      expect(memory.tokens.length).toBeLessThanOrEqual(4);
      for (const token of memory.tokens) {
        expect(token.start).toBeLessThan(token.end);
        expect(token.end).toBeLessThanOrEqual(clip.end + 1e-6);
      }
      if (clip.end <= 24) {
        expect(Math.max(...memory.tokens.map((t) => dot(t.vector, yellow)))).toBeLessThan(0.05);
      }
    }
  });

  it('gives each clip an indicator of its own colour', async () => {
    const queries = await Promise.all(COLOURS.map(embed));
    const ownColours = store.videos.clipsOf(1).map((clip) => {
      const scores = queries.map((q) => dot(store.videos.clipMemories([clip.clipId]).get(clip.clipId)!.indicator, q));
      return COLOURS[scores.indexOf(Math.max(...scores))];
    });
    expect(ownColours).toEqual(COLOURS.flatMap((c) => [c, c]));
  });
});
