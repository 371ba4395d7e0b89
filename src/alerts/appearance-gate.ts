/**
 * One appearance, one event: a rule's value clip by clip becomes events with hysteresis and a
 * cool-down. An appearance begins when the value reaches `enter` (and has held at least
 * `minSeconds`), lasts while it stays at `leave` or above, and ends on the first clip below
 * `leave`. One that begins within `cooldownSec` of the last one's end is that event going on, not
 * a new one. Times are the clips' own: media seconds for a file, UTC seconds for a live source.
 */

export interface GateOptions {
  readonly enter: number;
  /** At most `enter`: a value between the two keeps what is going on going on. */
  readonly leave: number;
  readonly minSeconds: number;
  readonly cooldownSec: number;
}

export interface GateState {
  /** Since when the value has been at `enter` or above without a break (for `minSeconds`). */
  readonly heldSince: number | null;
  /** Whether an appearance is going on. */
  readonly active: boolean;
  /** When the last event ended; null before the first. */
  readonly lastEnd: number | null;
}

export const IDLE: GateState = { heldSince: null, active: false, lastEnd: null };

/** A clip's span and the rule's value over it (null: no value yet, e.g. while a baseline fills). */
export interface GateSample {
  readonly start: number;
  readonly end: number;
  readonly value: number | null;
}

/** `raise`: a new event begins at `start` (the value held since then); `extend`: the last event now reaches this clip's end. */
export type GateOutcome = { readonly kind: 'raise'; readonly start: number } | { readonly kind: 'extend' } | null;

const EXTEND: GateOutcome = { kind: 'extend' };

export function stepGate(state: GateState, sample: GateSample, options: GateOptions): { state: GateState; outcome: GateOutcome } {
  const { value } = sample;
  if (state.active) {
    if (value !== null && value >= options.leave) return { state: { ...state, lastEnd: sample.end }, outcome: EXTEND };
    return { state: { heldSince: null, active: false, lastEnd: state.lastEnd }, outcome: null };
  }
  if (value === null || value < options.enter) return { state: { ...state, heldSince: null }, outcome: null };
  const heldSince = state.heldSince ?? sample.start;
  if (sample.end - heldSince < options.minSeconds) return { state: { ...state, heldSince }, outcome: null };
  const resumes = state.lastEnd !== null && heldSince - state.lastEnd < options.cooldownSec;
  return { state: { heldSince, active: true, lastEnd: sample.end }, outcome: resumes ? EXTEND : { kind: 'raise', start: heldSince } };
}
