import type { TimeWindow } from '../core/moments.js';

const UNIT_SECONDS: Record<string, number> = { second: 1, sec: 1, minute: 60, min: 60, hour: 3600, day: 86_400, week: 604_800 };
const COUNT_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, five: 5, ten: 10, fifteen: 15, twenty: 20, thirty: 30 };

/** "in the last 5 minutes", "during the past hour", "over the last two days" */
const LAST = /\s*\b(?:(?:in|during|over|within|for)\s+)?the\s+(?:last|past)\s+(?:(\d+(?:\.\d+)?|an?|one|two|three|five|ten|fifteen|twenty|thirty)\s+)?(second|sec|minute|min|hour|day|week)s?\b/i;
/** "today", "so far today" */
const TODAY = /\s*\b(?:so\s+far\s+)?today\b/i;

/**
 * A question's own time limit, as people say it about a camera: the window it names, ending
 * `now` (UTC seconds), and the question without the phrase, which says when and not what.
 */
export function timePhrase(question: string, now: number): { readonly question: string; readonly within?: TimeWindow } {
  const last = LAST.exec(question);
  if (last) {
    const count = last[1] === undefined ? 1 : (COUNT_WORDS[last[1].toLowerCase()] ?? Number(last[1]));
    const seconds = count * UNIT_SECONDS[last[2]!.toLowerCase()]!;
    return { question: question.replace(LAST, '').trim(), within: { from: now - seconds, to: now } };
  }
  if (TODAY.test(question)) {
    const midnight = new Date(now * 1000);
    midnight.setHours(0, 0, 0, 0);
    return { question: question.replace(TODAY, '').trim(), within: { from: midnight.getTime() / 1000, to: now } };
  }
  return { question };
}
