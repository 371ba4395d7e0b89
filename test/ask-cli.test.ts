import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSegments, type Segment } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem } from './helpers/cli.js';
import { closedPort } from './helpers/ports.js';

// The built CLI comes from the global setup (test/helpers/global-setup.ts), which compiles before any suite.

/** One minute of black with a cyan-left needle at 21–24 s and a yellow-bottom one at 41–43 s. */
const SEGMENTS: Segment[] = [
  { seconds: 21, layout: { full: 'black' } },
  { seconds: 3, layout: { left: 'cyan', right: 'white' } },
  { seconds: 17, layout: { full: 'black' } },
  { seconds: 2, layout: { top: 'white', bottom: 'yellow' } },
  { seconds: 17, layout: { full: 'black' } },
];

interface AskJson {
  answer: string;
  evidence: Array<{ videoId: number; start: number; end: number; score: number }>;
  selected: number;
}

let dir: string;
let store: string;

beforeAll(async () => {
  dir = tempDir('vidmem-ask-');
  const video = join(dir, 'needles.mp4');
  store = join(dir, 'store');
  await renderSegments(video, SEGMENTS, { width: 160, height: 120, fps: 4, gop: 4, motion: true });
  const ingest = await vidmem(['ingest', video, '--store', store, '--model', 'palette', '--json']);
  expect(ingest.code, ingest.stderr).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function askJson(...args: string[]): Promise<AskJson> {
  const result = await vidmem(['ask', ...args, '--store', store, '--json']);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(result.stdout) as AskJson;
}


const hits = (e: { start: number; end: number }, start: number, end: number): boolean => e.start < end && start < e.end;

describe('vidmem ask', () => {
  it.each([
    ['When is there cyan on the left?', 21, 24],
    ['yellow at the bottom', 41, 43],
  ])('"%s" --json gives one object whose evidence hits %i–%i s', async (question, start, end) => {
    const result = await askJson(question);
    expect(Object.keys(result).sort()).toEqual(['answer', 'evidence', 'selected']);
    expect(typeof result.answer).toBe('string');
    expect(result.selected).toBe(result.evidence.length);
    expect(result.selected).toBeGreaterThan(0);
    for (const e of result.evidence) {
      expect(e).toMatchObject({ videoId: 1, start: expect.any(Number), end: expect.any(Number), score: expect.any(Number) });
      expect(e.end).toBeGreaterThan(e.start);
    }
    const best = result.evidence.reduce((a, b) => (b.score > a.score ? b : a));
    expect(hits(best, start, end)).toBe(true);
    // The answer names the moment it rests on, in the same words the evidence gives.
    expect(result.answer).toContain('needles.mp4');
  });

  it('prints the answer, then one evidence line per moment', async () => {
    const result = await vidmem(['ask', 'cyan on the left', '--store', store]);
    expect(result.code, result.stderr).toBe(0);
    const [answer, evidence] = result.stdout.split(/\n\nEvidence[^\n]*\n/);
    expect(answer).toMatch(/^The moment that matches "cyan on the left" is \[00:2\d–00:2\d\] needles\.mp4 \(score 0\.\d{3}\)\.$/m);
    expect(answer).toMatch(/keyframe: .*\.jpg$/m);
    expect(evidence.trim().split('\n')).toEqual([expect.stringMatching(/^\[00:2\d–00:2\d\] needles\.mp4 score 0\.\d{3}$/)]);
  });

  it('--explain lists the candidates with their scores and what became of them', async () => {
    const result = await vidmem(['ask', 'cyan on the left', '--store', store, '--explain']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Moment question: 1 of \d+ candidate clips kept, 8\/256 tokens /m);
    expect(result.stdout).toMatch(/^#\s+clip\s+found by\s+time\s+indicator\s+memory\s+combined\s+verdict\s+why$/m);
    expect(result.stdout).toMatch(/^1\s+v1#\d+\s+index\s+.+?\s+0\.\d{3}\s+0\.\d{3}\s+0\.\d{3}\s+kept\s+probability/m);
    const json = JSON.parse((await vidmem(['ask', 'cyan on the left', '--store', store, '--json', '--explain'])).stdout);
    expect(json.explain.decisions[0]).toMatchObject({ verdict: 'kept', indicator: expect.any(Number), memory: expect.any(Number), combined: expect.any(Number) });
  });

  it('answers a whole-video question with a timeline overview spread over the video', async () => {
    const result = await askJson('What happens in this video?', '--budget', '40');
    expect(result.selected).toBe(5);
    const starts = result.evidence.map((e) => e.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(result.evidence.at(-1)!.end).toBeCloseTo(60, 0);
    expect(result.evidence[0].start).toBeLessThan(15);
    expect(result.answer).toMatch(/^Overview of needles\.mp4 up to 01:00/);
  });

  it('keeps to --budget', async () => {
    const result = await vidmem(['ask', 'cyan on the left', '--store', store, '--budget', '4', '--json', '--explain']);
    const json = JSON.parse(result.stdout);
    expect(json.selected).toBe(0);
    expect(json.explain.decisions[0].verdict).toBe('over-budget');
    expect(json.answer).toMatch(/^No stored memory matches/);
  });

  it.each([
    [['ask', 'hello there'], /^vidmem: model 'palette' knows none of the words in "hello there"$/],
    [['ask', 'red', '--video', '7'], /^vidmem: store .* has no video 7 /],
    [['ask', 'red', '--budget', 'lots'], /--budget must be a whole number from 1 to 16384/],
  ])('fails with one clear line: %j', async (args, message) => {
    const result = await vidmem([...args, '--store', store]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads a question longer than the model\'s context in parts, so its end still counts', async () => {
    // Far past palette's 32 tokens: a plain cut would keep only the preamble, which names no colour.
    const preamble = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const { evidence } = await askJson(`${preamble}. When is there cyan on the left?`);
    expect(evidence.some((e) => hits(e, 21, 24))).toBe(true);
  });

  it('says so when a question is too long even in parts, and never echoes it whole', async () => {
    const question = `with yellow at the bottom ${'please find the moment '.repeat(4000)}`;
    expect(question.length).toBeGreaterThan(90_000);
    // So long a question comes on standard input; on the command line it is refused in one line.
    const argued = await vidmem(['ask', question, '--store', store]);
    expect(argued.code).toBe(2);
    expect(argued.stderr).toMatch(/^vidmem: the question is 92,\d{3} characters long, more than the 16,384 a command line may carry here; give - instead and pass it on standard input\n$/);
    const result = await vidmem(['ask', '-', '--store', store], { input: question });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^vidmem: the question is longer than 16 parts of the model's 32-token context; its last \d+ words were left out\n$/);
    expect(result.stdout.split('\n')[0]!.length).toBeLessThan(200);
    const unknown = await vidmem(['ask', '-', '--store', store], { input: 'zzz '.repeat(20_000) });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.split('\n').filter(Boolean).every((line) => line.length < 300)).toBe(true);
  });

  it('fails with one clear line when the store does not exist', async () => {
    const result = await vidmem(['ask', 'red', '--store', join(dir, 'nowhere')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/no store at .*nowhere/);
  });

  it('answers with the LLM named by --llm, and says so in one line when it cannot be reached', async () => {
    const port = await closedPort();
    const result = await vidmem(['ask', 'cyan on the left', '--store', store, '--llm', `http://127.0.0.1:${port}/v1`], {
      env: { VIDMEM_LLM_MODEL: 'test-model' },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toMatch(new RegExp(`^vidmem: cannot reach the LLM at http://127\\.0\\.0\\.1:${port}/v1/chat/completions: connection refused`));
  });
});
