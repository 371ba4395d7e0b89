/** The pure parts of standing questions, on constructed inputs: calibration, the appearance gate, detector counts, zones, the rules operator. */
import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, stepGate, type GateOptions, type GateState } from '../src/alerts/appearance-gate.js';
import { checkRules, type ReadyRule, type SeenClip } from '../src/alerts/check-rules.js';
import { countedDetections } from '../src/alerts/object-counts.js';
import { median, remember, robustZ } from '../src/alerts/robust-baseline.js';
import { backoffMs } from '../src/alerts/webhook-delivery.js';
import type { AlertRule } from '../src/core/alerts.js';
import type { ClipDetection } from '../src/core/detections.js';
import { parseZones, pointInPolygon, zonesOf } from '../src/core/zones.js';
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

const seen = (label: string, zones: string[] = []): ClipDetection => ({ label, classId: 0, score: 0.5, box: { x: 0.1, y: 0.1, width: 0.1, height: 0.2 }, time: 0, zones });

describe("the detector's counts", () => {
  it('counts the detections of what a word stands for, and of a zone when the rule names one', () => {
    const clip = [seen('person', ['lawn']), seen('person'), seen('person', ['lawn', 'door']), seen('car', ['door']), seen('truck')];
    expect(countedDetections(clip, labelsOf('person'), null)).toHaveLength(3);
    expect(countedDetections(clip, labelsOf('vehicle'), null)).toHaveLength(2);
    expect(countedDetections(clip, labelsOf('someone'), 'lawn')).toHaveLength(2);
    expect(countedDetections(clip, labelsOf('van'), 'door').map((d) => d.label)).toEqual(['car']);
    expect(countedDetections(clip, labelsOf('person'), 'drive')).toEqual([]);
    expect(countedDetections([], labelsOf('someone'), null)).toEqual([]);
  });
});

describe('zones', () => {
  const lawn = [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] as const;
  const notch = [[0, 0], [1, 0], [1, 1], [0.5, 0.5], [0, 1]] as const;

  it('tells a point inside a polygon from one outside it, concave ones too', () => {
    expect(pointInPolygon(0.5, 0.75, lawn)).toBe(true);
    expect(pointInPolygon(0.5, 0.25, lawn)).toBe(false);
    expect(pointInPolygon(1.5, 0.75, lawn)).toBe(false);
    expect(pointInPolygon(0.5, 0.4, notch)).toBe(true);
    expect(pointInPolygon(0.5, 0.7, notch)).toBe(false);
    expect(pointInPolygon(0.9, 0.7, notch)).toBe(true);
  });

  it("puts a box in the zones that hold its bottom-centre, where a person stands, not where the head is", () => {
    const zones = parseZones(['lawn=0,0.5,1,0.5,1,1,0,1', 'sky=0,0,1,0,1,0.3,0,0.3']);
    expect(zonesOf({ x: 0.4, y: 0.1, width: 0.2, height: 0.6 }, zones)).toEqual(['lawn']);
    expect(zonesOf({ x: 0.4, y: 0.05, width: 0.2, height: 0.1 }, zones)).toEqual(['sky']);
    expect(zonesOf({ x: 0.4, y: 0.2, width: 0.2, height: 0.2 }, zones)).toEqual([]);
  });

  it('parses NAME=x1,y1,… and refuses a bad polygon in one line', () => {
    expect(parseZones(['lawn=0,0.5, 1,0.5, 1,1, 0,1'])).toEqual([{ name: 'lawn', points: lawn }]);
    const refused = (specs: string[]) => {
      try {
        parseZones(specs);
      } catch (err) {
        return { message: (err as Error).message, exitCode: (err as { exitCode?: number }).exitCode };
      }
      throw new Error(`${specs.join(' ')} was taken`);
    };
    expect(refused(['lawn=0,0,1,0'])).toEqual({ message: expect.stringMatching(/^--zone lawn=0,0,1,0: 2 corners are not a polygon; give NAME=/), exitCode: 2 });
    expect(refused(['lawn=0,0,1,0,1'])).toMatchObject({ message: expect.stringMatching(/5 numbers are not x,y pairs/) });
    expect(refused(['lawn=0,0,1.5,0,1,1'])).toMatchObject({ message: expect.stringMatching(/a coordinate lies outside 0\.\.1/) });
    expect(refused(['lawn=0,0,a,0,1,1'])).toMatchObject({ message: expect.stringMatching(/must be numbers/) });
    expect(refused(['0,0,1,0,1,1'])).toMatchObject({ message: expect.stringMatching(/no NAME=/) });
    expect(refused(['my lawn=0,0,1,0,1,1'])).toMatchObject({ message: expect.stringMatching(/'my lawn' is not a zone name/) });
    expect(refused(['lawn=0,0,1,0,1,1', 'lawn=0,0,1,1,0,1'])).toMatchObject({ message: '--zone lawn is given twice; give each zone its own name', exitCode: 2 });
    for (const specs of [['lawn=0,0,1,0'], ['a=0,0,1,0,1'], ['lawn=0,0,1,0,1,1', 'lawn=0,0,1,1,0,1']]) expect(refused(specs).message).not.toContain('\n');
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
  const clip = (stream: string, i: number, red: number, detections: ClipDetection[] = []): SeenClip => ({
    stream, source: null, videoId: 1, path: stream, clipId: i + 1, start: 2 * i, end: 2 * i + 2, startedAt: null, indicator: unit(red), detections, detectedIn: [],
  });

  it('raises a rule that asks for confirmation only where the detector saw what it names', async () => {
    const confirmed = { rule: rule(1, { kind: 'text', text: 'red car', sigma: 4, confirm: 'car' }), vector: Float32Array.from([1, 0]), confirm: ['car'] } as ReadyRule;
    const scores = [0.1, 0.12, 0.11, 0.1, 0.13, 0.12, 0.11, 0.1, 0.9, 0.1, 0.1, 0.1, 0.9];
    // Red at clips 8 and 12; a car seen only in clip 12.
    const clips = scores.map((x, i) => clip('a', i, x, i === 12 ? [seen('car')] : []));
    const hits = await firstValueFrom(from(clips).pipe(checkRules({ rules: () => [confirmed] }), toArray()));
    expect(hits.map((h) => [h.kind, h.clip.clipId])).toEqual([['raise', 13]]);
  });

  it('keeps each stream its own baseline and gate, and checks many rules at once', async () => {
    const red = { rule: rule(1, { kind: 'text', text: 'red', sigma: 4, confirm: null }), vector: Float32Array.from([1, 0]), confirm: [] } as ReadyRule;
    const people = { rule: rule(2, { kind: 'object', object: 'person', minCount: 2, minSeconds: 0, zone: null }), labels: ['person'] } as ReadyRule;
    // Camera a: noisy background, red at clip 8. Camera b: another level of scores, never red.
    const a = [0.1, 0.12, 0.11, 0.1, 0.13, 0.12, 0.11, 0.1, 0.9, 0.1].map((x, i) => clip('a', i, x, i === 3 ? [seen('person'), seen('person')] : []));
    const b = [0.5, 0.52, 0.51, 0.5, 0.53, 0.52, 0.51, 0.5, 0.52, 0.51].map((x, i) => clip('b', i, x));
    const clips = a.flatMap((c, i) => [c, b[i]!]);
    const hits = await firstValueFrom(from(clips).pipe(checkRules({ rules: () => [red, people] }), toArray()));
    expect(hits.map((h) => [h.kind, h.rule.id, h.clip.stream, h.start, h.end])).toEqual([
      ['raise', 2, 'a', 6, 8],
      ['raise', 1, 'a', 16, 18],
    ]);
    expect(hits[0]!.counted).toHaveLength(2);
    expect(hits[1]!.score).toBeGreaterThan(4);
  });

  it("starts a text rule's baseline from the clips stored before, so that the first clip after a restart is judged at once", async () => {
    const red = { rule: rule(1, { kind: 'text', text: 'red', sigma: 4, confirm: null }), vector: Float32Array.from([1, 0]), confirm: [] } as ReadyRule;
    const before = (_clip: SeenClip, limit: number) => [0.1, 0.12, 0.11, 0.1, 0.13, 0.12, 0.11, 0.1].slice(-limit).map(unit);
    const first = [clip('a', 0, 0.9)];
    const cold = await firstValueFrom(from(first).pipe(checkRules({ rules: () => [red] }), toArray()));
    const warm = await firstValueFrom(from(first).pipe(checkRules({ rules: () => [red], before }), toArray()));
    expect(cold).toEqual([]);
    expect(warm.map((h) => [h.kind, h.start])).toEqual([['raise', 0]]);
  });
});
