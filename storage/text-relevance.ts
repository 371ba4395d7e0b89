/**
 * How well a text row matches a query's words, from the two full-text indexes: its bm25 relative
 * to the best row of the same index (1 for the best), times the share of the query's words it
 * holds, so that one common word matched does not count as the question answered.
 */
import type { TextMatch } from '../src/core/clip-text.js';
import type { TextRow } from './repositories/clip-texts.js';

/**
 * Whether a row's text holds a query word: as a word for short ones; for longer ones, their
 * stem-like beginning anywhere (OCR runs words together, and "explains" should find "explained").
 */
function holds(text: string, term: string): boolean {
  if (term.length < 5) return new RegExp(`(^|[^\\p{L}\\p{N}])${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'u').test(text);
  return text.includes(term.slice(0, Math.max(4, term.length - 3)));
}

export function textRelevance(terms: readonly string[], byIndex: ReadonlyArray<readonly TextRow[]>): TextMatch[] {
  const best = new Map<number, { row: TextRow; relevance: number }>();
  for (const rows of byIndex) {
    const top = rows[0]?.rank;
    if (top === undefined || !(top < 0)) continue;
    for (const row of rows) {
      const relevance = row.rank / top;
      if ((best.get(row.id)?.relevance ?? -1) < relevance) best.set(row.id, { row, relevance });
    }
  }
  const matches: TextMatch[] = [];
  for (const { row, relevance } of best.values()) {
    const text = row.text.text.toLowerCase();
    const coverage = terms.filter((term) => holds(text, term)).length / terms.length;
    matches.push({ clipId: row.clipId, videoId: row.videoId, index: row.index, start: row.clipStart, end: row.clipEnd, score: relevance * coverage, text: row.text });
  }
  return matches.sort((a, b) => b.score - a.score);
}
