/**
 * The words of a question that can be looked for in text: lowercase, without the words every
 * question has ("when", "the", "is"), each once. A question with no such word asks nothing of the
 * text channels.
 */
import { objectLabels } from '../core/object-words.js';

const STOP_WORDS = new Set(
  `a an and are as at be been by can could did do does for from had has have how i if in into is it its
  me my of on or our shall should so than that the their them then there these they this those to
  up us was we were what when where which while who whom whose why will with would you your show
  shows shown tell find moment moments video clip time times happen happens happened there's what's`.split(/\s+/),
);

/** More words than this and a question is a document; its first words are the ones looked for. */
const MAX_TERMS = 24;

/** Words that name an object bring the detector's labels for it ("someone" → person). */
export function queryTerms(question: string): string[] {
  const words = question.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
  const kept = words.filter((word) => [...word].length >= 2 && !STOP_WORDS.has(word));
  const terms = [...new Set(kept.flatMap((word) => [word, ...objectLabels(word)]))];
  return terms.slice(0, MAX_TERMS);
}
