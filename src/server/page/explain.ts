/** "Why these moments": every candidate clip the selection weighed, and what it decided. */
import { el } from './dom.js';
import { fileName, timestamp } from './time.js';
import type { Explanation, Video } from './types.js';

export function explanation(explain: Explanation, videos: ReadonlyMap<number, Video>): HTMLElement {
  const rows = explain.decisions.map((d) =>
    el(
      'tr',
      { class: d.verdict },
      el('td', {}, `${timestamp(d.start)}–${timestamp(d.end)}`),
      el('td', {}, videos.has(d.videoId) ? fileName(videos.get(d.videoId)!.path) : `video ${d.videoId}`),
      el('td', { class: 'num' }, d.combined.toFixed(3)),
      el('td', {}, d.verdict),
      el('td', {}, d.reason),
    ),
  );
  return el(
    'details',
    { class: 'explain' },
    el('summary', {}, 'Why these moments'),
    el('p', { class: 'muted' }, `A ${explain.kind} question: ${explain.indexHits} index hits, ${explain.tokensUsed} of ${explain.budget} memory tokens used.`),
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        {},
        el('thead', {}, el('tr', {}, ...['clip', 'video', 'score', 'verdict', 'why'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...rows),
      ),
    ),
  );
}
