/**
 * Standing rules checked on every new clip, as one operator: each rule's value for the clip (a
 * text or image rule's similarity calibrated against the clip's own stream, an object rule's count), then
 * its appearance gate. State is kept per rule and stream (a live source, or one file), so one
 * camera's baseline and cool-down never touch another's; many rules are checked at once.
 */
import { concatMap, defer, from, mergeMap, type OperatorFunction } from 'rxjs';
import type { AlertRule } from '../core/alerts.js';
import type { ClipDetection } from '../core/detections.js';
import { cosine } from '../core/vector-math.js';
import { IDLE, stepGate, type GateOptions, type GateState } from './appearance-gate.js';
import { countedDetections } from './object-counts.js';
import { DEFAULT_BASELINE, remember, robustZ, type BaselineOptions } from './robust-baseline.js';

/** A clip just stored, as the rules see it. */
export interface SeenClip {
  /** What calibration and cool-downs are kept per: a live source's name, or a file's video. */
  readonly stream: string;
  readonly source: string | null;
  readonly videoId: number;
  readonly path: string;
  readonly clipId: number;
  /** Seconds into the video. */
  readonly start: number;
  readonly end: number;
  /** UTC seconds of the live segment's start; null for a file. */
  readonly startedAt: number | null;
  readonly indicator: Float32Array;
  /** What the object detector found in the clip; none where it found nothing or did not run. */
  readonly detections: readonly ClipDetection[];
  /** The full-size frames the detections were found in, by time, to draw them on; none where the detector did not run. */
  readonly detectedIn: ReadonlyArray<{ readonly time: number; readonly frame: { readonly rgb: Uint8Array; readonly width: number; readonly height: number } }>;
}

/** A rule ready to check: a text or image rule with the vector clips are compared with, an object rule with the detector labels its word stands for. */
export type ReadyRule =
  | {
      readonly rule: AlertRule & { readonly condition: { readonly kind: 'text' | 'image' } };
      readonly vector: Float32Array;
      /** The detector labels that confirm it; none: it needs no confirmation. */
      readonly confirm: readonly string[];
    }
  | { readonly rule: AlertRule & { readonly condition: { readonly kind: 'object' } }; readonly labels: readonly string[] };

/** A rule's gate opened (`raise`) or held open (`extend`) by a clip; times in the stream's clock (see `clock`). */
export interface RuleHit {
  readonly kind: 'raise' | 'extend';
  readonly rule: AlertRule;
  readonly clip: SeenClip;
  readonly start: number;
  readonly end: number;
  /** The rule's value for the clip: a robust z-score, or a count. */
  readonly score: number;
  /** What an object rule counted in the clip (its evidence); none for a text rule. */
  readonly counted: readonly ClipDetection[];
}

/** A clip's times on its stream's clock: UTC seconds for a live source, so that cool-downs reach over reconnections; media seconds for a file. */
export function clock(clip: SeenClip): { start: number; end: number } {
  const origin = clip.startedAt ?? 0;
  return { start: origin + clip.start, end: origin + clip.end };
}

export interface CheckRulesOptions {
  /** The rules in force for a clip (read again for every clip, so a rule added meanwhile applies from the next). */
  readonly rules: (clip: SeenClip) => Promise<readonly ReadyRule[]> | readonly ReadyRule[];
  readonly baseline?: BaselineOptions;
  /**
   * The indicators of the clips stored before this one in its stream, oldest first (at most
   * `limit`): a text rule's baseline starts from them, so that a restarted watch or a resumed
   * ingest knows its source's usual at once.
   */
  readonly before?: (clip: SeenClip, limit: number) => readonly Float32Array[];
  /**
   * Where the rule's last event on the clip's stream ended, on the stream's clock (see `clock`);
   * null when it raised none. A restarted watch or a resumed ingest then goes on with that event
   * within its cool-down, rather than raising an appearance that is going on a second time.
   */
  readonly lastEnd?: (rule: AlertRule, clip: SeenClip) => number | null;
}

interface RuleState {
  gate: GateState;
  history: number[];
}

/** Text and image rules leave an appearance at half their sigma: clearly below, not one flicker under the threshold. */
function gateOf(ready: ReadyRule): GateOptions {
  const { condition, cooldownSec } = ready.rule;
  if (condition.kind !== 'object') return { enter: condition.sigma, leave: condition.sigma / 2, minSeconds: 0, cooldownSec };
  return { enter: condition.minCount, leave: condition.minCount, minSeconds: condition.minSeconds, cooldownSec };
}

export function checkRules(options: CheckRulesOptions): OperatorFunction<SeenClip, RuleHit> {
  const baseline = options.baseline ?? DEFAULT_BASELINE;
  return (clips) =>
    defer(() => {
      const states = new Map<string, RuleState>();
      const check = (clip: SeenClip, ready: ReadyRule): RuleHit | null => {
        const key = `${ready.rule.id}\u0000${clip.stream}`;
        let state = states.get(key);
        if (!state) {
          const vector = 'vector' in ready ? ready.vector : null;
          const before = vector && options.before ? options.before(clip, baseline.window) : [];
          const lastEnd = options.lastEnd?.(ready.rule, clip) ?? null;
          state = { gate: { ...IDLE, lastEnd }, history: vector ? before.map((indicator) => cosine(indicator, vector)) : [] };
          states.set(key, state);
        }
        let value: number | null;
        let counted: readonly ClipDetection[] = [];
        if ('vector' in ready) {
          const score = cosine(clip.indicator, ready.vector);
          // An unconfirmed clip has no value: it neither raises an event nor keeps one going; the baseline learns its score all the same.
          const confirmed = ready.confirm.length === 0 || countedDetections(clip.detections, ready.confirm, null).length > 0;
          value = confirmed ? robustZ(state.history, score, baseline) : null;
          state.history = remember(state.history, score, baseline);
        } else {
          counted = countedDetections(clip.detections, ready.labels, ready.rule.condition.zone);
          value = counted.length;
        }
        const span = clock(clip);
        const { state: gate, outcome } = stepGate(state.gate, { ...span, value }, gateOf(ready));
        state.gate = gate;
        if (!outcome) return null;
        const start = outcome.kind === 'raise' ? outcome.start : span.start;
        return { kind: outcome.kind, rule: ready.rule, clip, start, end: span.end, score: value ?? 0, counted };
      };
      return clips.pipe(
        concatMap(async (clip) => {
          const rules = await options.rules(clip);
          return rules.map((ready) => check(clip, ready)).filter((hit): hit is RuleHit => hit !== null);
        }),
        mergeMap((hits) => from(hits)),
      );
    });
}
