import { formatRange } from '../core/time-format.js';
import type { Selection } from '../../pipelines/answer-question.js';

/** The selection as a table: every clip considered, its scores, what became of it and why. */
export function explainSelection(selection: Selection): string {
  const kept = selection.decisions.filter((d) => d.verdict === 'kept').length;
  const tokens = `${selection.tokensUsed}/${selection.budget} tokens`;
  const heads: Record<Selection['kind'], string> = {
    'whole-video': `Whole-video question: ${kept} memories spread over the timeline, ${tokens}`,
    continuation: `Follow-up along the timeline: the ${kept} clips next to the previous answer's moment, ${tokens}`,
    moment:
      `Moment question: ${kept} of ${selection.decisions.length} candidate clips kept, ${tokens} ` +
      `(candidates: the index's ${selection.indexHits} nearest clips without near copies of their neighbours, and clips their memories point at)`,
  };
  const head = heads[selection.kind];
  const rows = selection.decisions.map((d, i) => {
    const c = d.candidate;
    const focus = c.focusStart !== c.start || c.focusEnd !== c.end ? ` → ${formatRange(c.focusStart, c.focusEnd)}` : '';
    return [
      String(i + 1),
      `v${c.videoId}#${c.index}`,
      c.via !== null ? `memory of #${c.via}` : selection.kind === 'moment' ? 'index' : 'timeline',
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
