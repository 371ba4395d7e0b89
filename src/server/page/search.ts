/** The search box and its results: cards grouped by video, each video's hits marked on a timeline. */
import { getJson, withToken } from './api.js';
import { el, showError } from './dom.js';
import { momentPlayable, type Player } from './player.js';
import { fileName, momentRange } from './time.js';
import type { Moment, Video } from './types.js';

function card(m: Moment, player: Player): HTMLElement {
  const playable = momentPlayable(m);
  const snippet = m.text.map((t) => t.text).join(' · ');
  const button = el(
    'button',
    { type: 'button', class: 'card', disabled: playable === undefined },
    m.thumbnail ? el('img', { src: withToken(m.thumbnail), alt: '', loading: 'lazy', width: 160, height: 90 }) : el('span', { class: 'no-thumb' }),
    el('span', { class: 'range' }, momentRange(m)),
    el('span', { class: 'muted' }, `score ${m.score.toFixed(3)}`),
    snippet ? el('span', { class: 'snippet' }, snippet) : null,
  );
  if (playable) button.addEventListener('click', () => player.play(playable));
  return button;
}

function timeline(moments: readonly Moment[], video: Video | undefined, player: Player): HTMLElement | null {
  const length = video?.durationSec ?? 0;
  if (length <= 0) return null;
  const marks = moments.map((m) => {
    const mark = el('button', {
      type: 'button',
      class: 'mark',
      title: momentRange(m),
      'aria-label': `play ${momentRange(m)}`,
      style: `left:${(100 * m.start) / length}%;width:${Math.max(1, (100 * (m.end - m.start)) / length)}%`,
    });
    const playable = momentPlayable(m);
    if (playable) mark.addEventListener('click', () => player.play(playable));
    return mark;
  });
  return el('div', { class: 'timeline', role: 'group', 'aria-label': 'where the results lie in the video' }, ...marks);
}

function groups(results: readonly Moment[]): Map<number, Moment[]> {
  const byVideo = new Map<number, Moment[]>();
  for (const m of results) byVideo.set(m.videoId, [...(byVideo.get(m.videoId) ?? []), m]);
  return byVideo;
}

/** What a search may be limited to: one video file, or with live sources the last stretch of their time. */
const RECENT: ReadonlyArray<readonly [seconds: number, label: string]> = [
  [600, 'the last 10 minutes'],
  [3600, 'the last hour'],
  [86_400, 'the last day'],
];

/** The scope menu as the library now is; the choice made stays while it is still there. */
export function showScopes(select: HTMLSelectElement, videos: ReadonlyMap<number, Video>): void {
  const chosen = select.value;
  const files = [...videos.values()].filter((v) => v.source === null);
  const live = files.length < videos.size;
  select.replaceChildren(
    el('option', { value: '' }, 'all videos'),
    ...files.map((v) => el('option', { value: `video:${v.id}` }, fileName(v.path))),
    ...(live ? RECENT.map(([seconds, label]) => el('option', { value: `since:${seconds}` }, `cameras, ${label}`)) : []),
  );
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : '';
}

function scopeParams(scope: string): Record<string, string> {
  const [kind, value] = scope.split(':');
  if (kind === 'video') return { videoId: value! };
  if (kind === 'since') return { since: value! };
  return {};
}

export function setUpSearch(form: HTMLFormElement, root: HTMLElement, player: Player, videos: () => ReadonlyMap<number, Video>): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const q = data.get('q')?.toString().trim() ?? '';
    if (!q) return;
    root.setAttribute('aria-busy', 'true');
    try {
      const params = new URLSearchParams({ q, top: '12', ...scopeParams(data.get('scope')?.toString() ?? '') });
      const { results } = await getJson<{ results: Moment[] }>(`/api/search?${params}`);
      const sections = [...groups(results)].map(([videoId, moments]) =>
        el(
          'section',
          { class: 'result-group' },
          el('h3', {}, fileName(moments[0]!.path)),
          timeline(moments, videos().get(videoId), player),
          el('div', { class: 'cards' }, ...moments.map((m) => card(m, player))),
        ),
      );
      root.replaceChildren(...(sections.length > 0 ? sections : [el('p', { class: 'muted' }, `Nothing matches “${q}”.`)]));
    } catch (err) {
      showError(err, root);
    } finally {
      root.removeAttribute('aria-busy');
    }
  });
}
