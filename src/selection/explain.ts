import { formatRange } from '../cli/format.js';
import type { Selection } from './selection.js';

/** The selection as a table: every clip considered, its scores, what became of it and why. */
export function explainSelection(selection: Selection): string {
  const kept = selection.decisions.filter((d) => d.verdict === 'kept').length;
  const head =
    selection.kind === 'whole-video'
      ? `Whole-video question: ${kept} memories spread over the timeline, ${selection.tokensUsed}/${selection.budget} tokens`
      : `Moment question: ${kept} of ${selection.decisions.length} candidate clips kept, ${selection.tokensUsed}/${selection.budget} tokens ` +
        `(candidates: the index's ${selection.indexHits} nearest clips without near copies of their neighbours, and clips their memories point at)`;
  const rows = selection.decisions.map((d, i) => {
    const c = d.candidate;
    const focus = c.focusStart !== c.start || c.focusEnd !== c.end ? ` → ${formatRange(c.focusStart, c.focusEnd)}` : '';
    return [
      String(i + 1),
      `v${c.videoId}#${c.index}`,
      c.via === null ? 'index' : `memory of #${c.via}`,
      `${formatRange(c.start, c.end)}${focus}`,
      c.indicatorScore.toFixed(3),
      c.memoryScore.toFixed(3),
      c.score.toFixed(3),
      d.verdict,
      d.reason,
    ];
  });
  const header = ['#', 'clip', 'found by', 'time', 'indicator', 'memory', 'combined', 'verdict', 'why'];
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, col) => (col === cells.length - 1 ? cell : cell.padEnd(widths[col]))).join('  ').trimEnd();
  return [head, line(header), ...rows.map(line)].join('\n');
}
