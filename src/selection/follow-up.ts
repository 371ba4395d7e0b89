/**
 * How a chat question depends on the turn before it. "And after that?" names nothing a memory
 * could match, so on its own it would select nothing useful:
 *
 * - a follow-up (a temporal cue such as "after that", "next", "before that", or an opener such as
 *   "and …", "but …") is selected with the previous turn's query joined to it, so "and on the
 *   left?" after "when is it red?" looks for red on the left. "What about blue?" replaces the
 *   topic rather than refining it, so it stands on its own;
 * - a temporal follow-up is answered from the moments right after (or before) the previous answer's
 *   main moment, its best-scoring citation: what comes next is rarely what matches the earlier
 *   question, so the timeline, not similarity, picks those memories;
 * - any other question stands on its own.
 */
import type { CitedMoment } from '../core/moments.js';

export type Direction = 'after' | 'before';

export interface PreviousTurn {
  /** The text the previous turn selected its memories with. */
  readonly query: string;
  readonly evidence: readonly CitedMoment[];
}

export interface TurnPlan {
  /** The text to select memories with. */
  readonly query: string;
  /** Set when the question asks what came right after or before the previous answer's moment. */
  readonly continuation?: { readonly direction: Direction; readonly anchor: CitedMoment };
}

const THAT = '(?:that|this|it|those|these|them)';
const CUES: ReadonlyArray<[Direction, RegExp]> = [
  ['after', new RegExp(`\\b(?:after\\s+${THAT}|afterwards?|subsequently|and\\s+then|then\\s+what|(?:comes|came|happens|happened)\\s+next)\\b|\\b(?:after|next|later(?:\\s+on)?)\\s*[?.!]*$`, 'i')],
  ['before', new RegExp(`\\b(?:before\\s+${THAT}|beforehand|earlier|previously|prior\\s+to\\s+${THAT})\\b|\\bbefore\\s*[?.!]*$`, 'i')],
];
const OPENER = /^\s*(?:and|but|also|so|then)\b/i;

export function temporalCue(question: string): Direction | undefined {
  return CUES.find(([, pattern]) => pattern.test(question))?.[0];
}

export function planTurn(question: string, previous: PreviousTurn | undefined): TurnPlan {
  const direction = temporalCue(question);
  if (!previous || (direction === undefined && !OPENER.test(question))) return { query: question };
  const query = `${previous.query} ${question}`;
  // The anchor is what the previous answer was mostly about, not merely the last moment it listed.
  const anchor = previous.evidence.reduce<CitedMoment | undefined>((best, e) => (best && best.score >= e.score ? best : e), undefined);
  return direction && anchor ? { query, continuation: { direction, anchor } } : { query };
}
