/** The pure parts of standing questions, on constructed inputs: calibration, the appearance gate, detector counts, the rules operator. */
import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, stepGate, type GateOptions, type GateState } from '../src/alerts/appearance-gate.js';
import { checkRules, type ReadyRule, type SeenClip } from '../src/alerts/check-rules.js';
import { countObjects, parseCounts } from '../src/alerts/object-counts.js';
import { median, remember, robustZ } from '../src/alerts/robust-baseline.js';
import { backoffMs } from '../src/alerts/webhook-delivery.js';
import type { AlertRule } from '../src/core/alerts.js';
import { labelsOf } from '../pipelines/standing-queries.js';

const options = { window: 10, minHistory: 3, minSpread: 0.01 };

describe('calibration against the source\'s own recent scores', () => {
  it('scores a clip by robust sigmas above the median of the last ones, and waits for enough of them', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(robustZ([0.2, 0.21], 0.5, options)).toBeNull();
    // Median 0.21, MAD 0.01 → spread 0.014826.
    expect(robustZ([0.2, 0.21, 0.22], 0.25, options)).toBeCloseTo(0.04 / 0.014826, 6);
  });

  it('means the same on two cameras whose raw scores differ in level and spread', () => {
    const dim = [0.1, 0.12, 0.11, 0.13, 0.1, 0.12];
    const bright = dim.map((s) => 0.5 + 3 * (s - 0.1));
    expect(robustZ(bright, 0.5 + 3 * (0.2 - 0.1), options)).toBeCloseTo(robustZ(dim, 0.2, options)!, 6);
  });

  it('takes a picture that never changes to have the least spread, not none', () => {
    expect(robustZ([0.3, 0.3, 0.3, 0.3], 0.301, options)).toBeCloseTo(0.1, 6);
  });

  it('keeps a window of the latest scores', () => {
    let history: number[] = [];
    for (let i = 0; i < 15; i++) history = remember(history, i, options);
    expect(history).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });
});

describe('the appearance gate', () => {
  const gate: GateOptions = { enter: 4, leave: 2, minSeconds: 0, cooldownSec: 10 };
  const run = (values: Array<number | null>, g = gate, step = 2) => {
    let state: GateState = IDLE;
    return values.map((value, i) => {
      const next = stepGate(state, { start: i * step, end: (i + 1) * step, value }, g);
      state = next.state;
      return next.outcome;
    });
  };

  it('raises one event per appearance, held while above the lower threshold, ended on the first clip below it', () => {
    expect(run([0, 5, 3, 5, 1, 0])).toEqual([null, { kind: 'raise', start: 2 }, { kind: 'extend' }, { kind: 'extend' }, null, null]);
  });

  it('does not flicker around the threshold, and needs the higher one to begin', () => {
    expect(run([3.9, 3, 3.9, null, 3])).toEqual([null, null, null, null, null]);
  });

  it('takes a new appearance within the cool-down for the same event, and one after it for a new one', () => {
    // Ends at 6 s; back at 10 s (within 10 s) extends; ends at 14; back at 26 s is a new event.
    const outcomes = run([5, 5, 5, 0, 0, 5, 5, 0, 0, 0, 0, 0, 0, 5]);
    expect(outcomes.filter((o) => o?.kind === 'raise')).toEqual([{ kind: 'raise', start: 0 }, { kind: 'raise', start: 26 }]);
    expect(outcomes[5]).toEqual({ kind: 'extend' });
  });

  it('waits for a value held --min-seconds, and dates the event from when it began', () => {
    const held = { enter: 2, leave: 2, minSeconds: 5, cooldownSec: 0 };
    expect(run([2, 3, 2, 2], held)).toEqual([null, null, { kind: 'raise', start: 0 }, { kind: 'extend' }]);
    expect(run([2, 3, 1, 2, 2, 1], held)).toEqual([null, null, null, null, null, null]);
  });
});

describe("the detector's counts", () => {
  it('reads "3 person, 1 car" and counts what a word stands for', () => {
    expect(parseCounts('3 person, 1 car, 2 traffic light')).toEqual(new Map([['person', 3], ['car', 1], ['traffic light', 2]]));
    expect(countObjects(['3 person, 1 car'], labelsOf('person'))).toBe(3);
    expect(countObjects(['1 car, 2 truck'], labelsOf('vehicle'))).toBe(3);
    expect(countObjects(['1 car', '2 car'], labelsOf('van'))).toBe(2);
    expect(countObjects([], labelsOf('someone'))).toBe(0);
  });
});

describe('capped exponential backoff', () => {
  it('waits 1, 2, 4 … s up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});

describe('the rules operator', () => {
  const rule = (id: number, condition: AlertRule['condition'], cooldownSec = 10): AlertRule => ({ id, name: `rule ${id}`, source: null, cooldownSec, condition, createdAt: '' });
  const unit = (x: number) => Float32Array.from([x, Math.sqrt(1 - x * x)]);
  const clip = (stream: string, i: number, red: number, detected: string[] = []): SeenClip => ({
    stream, source: null, videoId: 1, path: stream, clipId: i + 1, start: 2 * i, end: 2 * i + 2, startedAt: null, indicator: unit(red), detected,
  });

  it('keeps each stream its own baseline and gate, and checks many rules at once', async () => {
    const red = { rule: rule(1, { kind: 'text', text: 'red', sigma: 4 }), vector: Float32Array.from([1, 0]) } as ReadyRule;
    const people = { rule: rule(2, { kind: 'object', object: 'person', minCount: 2, minSeconds: 0 }), labels: ['person'] } as ReadyRule;
    // Camera a: noisy background, red at clip 8. Camera b: another level of scores, never red.
    const a = [0.1, 0.12, 0.11, 0.1, 0.13, 0.12, 0.11, 0.1, 0.9, 0.1].map((x, i) => clip('a', i, x, i === 3 ? ['2 person'] : []));
    const b = [0.5, 0.52, 0.51, 0.5, 0.53, 0.52, 0.51, 0.5, 0.52, 0.51].map((x, i) => clip('b', i, x));
    const clips = a.flatMap((c, i) => [c, b[i]!]);
    const hits = await firstValueFrom(from(clips).pipe(checkRules({ rules: () => [red, people] }), toArray()));
    expect(hits.map((h) => [h.kind, h.rule.id, h.clip.stream, h.start, h.end])).toEqual([
      ['raise', 2, 'a', 6, 8],
      ['raise', 1, 'a', 16, 18],
    ]);
    expect(hits[1]!.score).toBeGreaterThan(4);
  });

  it("starts a text rule's baseline from the clips stored before, so that the first clip after a restart is judged at once", async () => {
    const red = { rule: rule(1, { kind: 'text', text: 'red', sigma: 4 }), vector: Float32Array.from([1, 0]) } as ReadyRule;
    const before = (_clip: SeenClip, limit: number) => [0.1, 0.12, 0.11, 0.1, 0.13, 0.12, 0.11, 0.1].slice(-limit).map(unit);
    const first = [clip('a', 0, 0.9)];
    const cold = await firstValueFrom(from(first).pipe(checkRules({ rules: () => [red] }), toArray()));
    const warm = await firstValueFrom(from(first).pipe(checkRules({ rules: () => [red], before }), toArray()));
    expect(cold).toEqual([]);
    expect(warm.map((h) => [h.kind, h.start])).toEqual([['raise', 0]]);
  });
});
