/**
 * A question longer than the text encoder's context, cut into parts that each fit: whole
 * sentences where they fit, else clauses, else runs of words. Each part is encoded on its own and
 * their vectors are averaged, which ranks clips by the mean of their scores against the parts
 * (question decomposition, as in D-CoDe), where a plain cut would drop the end of the question.
 */

export interface QuestionParts {
  readonly parts: readonly string[];
  /** Words left out because the question needed more than the parts allowed. */
  readonly wordsLeftOut: number;
}

export interface TokenBudget {
  /** Tokens a text takes, the encoder's special tokens included. */
  readonly count: (text: string) => number;
  /** Tokens one text may take. */
  readonly limit: number;
  /** Parts at most: each is one more run of the text encoder. */
  readonly maxParts: number;
}

const SENTENCE_END = /(?<=[.!?;:])\s+/;
const CLAUSE_END = /(?<=,)\s+|\s+(?=(?:and|but|or|then|while|when|where|after|before)\b)/i;

/** Greedy packing of pieces into parts that fit, splitting a piece that alone does not fit by `finer`. */
function pack(pieces: readonly string[], fits: (text: string) => boolean, finer: (piece: string) => string[]): string[] {
  const parts: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const joined = current ? `${current} ${piece}` : piece;
    if (fits(joined)) {
      current = joined;
      continue;
    }
    if (current) parts.push(current);
    current = '';
    if (fits(piece)) current = piece;
    else parts.push(...finer(piece));
  }
  if (current) parts.push(current);
  return parts;
}

/** Runs of words that fit, counted word by word: a word's tokens do not depend on its neighbours'. */
function byWords(text: string, budget: TokenBudget): string[] {
  const overhead = budget.count('');
  const room = budget.limit - overhead;
  const parts: string[] = [];
  let words: string[] = [];
  let used = 0;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const cost = Math.max(1, budget.count(word) - overhead);
    if (used + cost > room && words.length > 0) {
      parts.push(words.join(' '));
      words = [];
      used = 0;
    }
    words.push(word);
    used += cost;
  }
  if (words.length > 0) parts.push(words.join(' '));
  return parts;
}

export function questionParts(question: string, budget: TokenBudget): QuestionParts {
  const text = question.replace(/\s+/g, ' ').trim();
  const fits = (part: string): boolean => budget.count(part) <= budget.limit;
  if (fits(text)) return { parts: [text], wordsLeftOut: 0 };
  const clauses = (sentence: string): string[] => pack(sentence.split(CLAUSE_END), fits, (clause) => byWords(clause, budget));
  const all = pack(text.split(SENTENCE_END), fits, clauses);
  const parts = all.slice(0, budget.maxParts);
  const wordsLeftOut = all.slice(budget.maxParts).reduce((n, part) => n + part.split(' ').length, 0);
  return { parts, wordsLeftOut };
}
