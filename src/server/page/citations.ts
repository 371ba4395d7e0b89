/**
 * An answer's citations, `[00:12–00:18] name.mp4`, found among the moments it was given. The file
 * name after a range settles which video; a range alone is matched only when one moment has it.
 */
import { fileName, momentRange } from './time.js';
import type { Moment } from './types.js';

export type AnswerPart = string | { readonly text: string; readonly moment: Moment };

const CITATION = /\[([^\]\n]{5,60})\](?: ([^\s\]]+\.[A-Za-z0-9]+)\b)?/g;

export function citedParts(answer: string, evidence: readonly Moment[]): AnswerPart[] {
  const parts: AnswerPart[] = [];
  let last = 0;
  for (const match of answer.matchAll(CITATION)) {
    const [text, range, file] = match;
    const candidates = evidence.filter((m) => m.media !== null && momentRange(m) === range);
    const moment = file === undefined ? (candidates.length === 1 ? candidates[0] : undefined) : candidates.find((m) => fileName(m.path) === file);
    if (moment === undefined) continue;
    if (match.index > last) parts.push(answer.slice(last, match.index));
    parts.push({ text, moment });
    last = match.index + text.length;
  }
  if (last < answer.length) parts.push(answer.slice(last));
  return parts;
}
