/** What the store holds: files with how far their ingest got, live sources with the time they cover and their gaps. */
import { getJson } from './api.js';
import { el, showError } from './dom.js';
import { removeButton, stopButton, type Refresh } from './manage.js';
import type { Player } from './player.js';
import { fileName, timestamp, wallClock } from './time.js';
import type { Source, Video } from './types.js';

function videoItem(v: Video, player: Player, manage: Refresh | null): HTMLElement {
  const name = fileName(v.path);
  const play = v.media === null ? null : el('button', { type: 'button', class: 'link', title: v.path }, name);
  play?.addEventListener('click', () => player.play({ path: v.path, media: v.media!, at: 0, label: timestamp(0) }));
  return el(
    'li',
    { class: 'video' },
    play ?? el('span', { title: v.path }, name),
    el('span', { class: `badge ${v.status}` }, v.status),
    el('span', { class: 'muted' }, `${v.clips} clips · ${timestamp(v.durationSec)}`, v.startsAt ? ` · from ${wallClock(v.startsAt)}` : ''),
    manage ? removeButton(v.id, name, manage) : null,
  );
}

function sourceItem(s: Source, manage: Refresh | null): HTMLElement {
  const gaps = s.gaps.map((g) => el('li', {}, `${wallClock(g.start)} – ${g.end ? wallClock(g.end) : 'now'}: ${g.reason}`));
  return el(
    'li',
    { class: 'source' },
    el('strong', { title: s.url }, s.name),
    s.watching ? el('span', { class: 'badge watching' }, 'watching') : null,
    s.watching && manage ? stopButton(s.name, manage) : null,
    el('span', { class: 'muted' }, `${s.segments} segments · ${s.clips} clips`),
    el('span', {}, s.from ? `${wallClock(s.from)} → ${s.until ? wallClock(s.until) : 'now'}` : s.segments > 0 ? 'no clip stored yet' : 'not connected yet'),
    gaps.length > 0 ? el('details', {}, el('summary', {}, `${gaps.length} gap${gaps.length === 1 ? '' : 's'}`), el('ul', {}, ...gaps)) : null,
  );
}

export interface Shown {
  /** The library's videos, for the search results' timelines. */
  readonly videos: ReadonlyMap<number, Video>;
  /** Whether the server is watching a source now: the library then changes by itself. */
  readonly live: boolean;
}

/** `manage` (where the store can be written) gives each video a Remove button and each watched source a Stop one. */
export async function showLibrary(root: HTMLElement, player: Player, manage: Refresh | null): Promise<Shown> {
  try {
    const [{ videos }, { sources }] = await Promise.all([getJson<{ videos: Video[] }>('/api/videos'), getJson<{ sources: Source[] }>('/api/sources')]);
    // A live source's segments are listed under the source, not one by one.
    const files = videos.filter((v) => v.source === null);
    root.replaceChildren(
      files.length + sources.length === 0 ? el('p', { class: 'muted' }, manage ? 'Nothing stored yet: add a video or a camera below.' : 'Nothing stored yet: ingest a video with `vidmem ingest FILE`.') : '',
      files.length > 0 ? el('ul', { class: 'videos' }, ...files.map((v) => videoItem(v, player, manage))) : '',
      sources.length > 0 ? el('h3', {}, 'Live sources') : '',
      sources.length > 0 ? el('ul', { class: 'sources' }, ...sources.map((s) => sourceItem(s, manage))) : '',
    );
    return { videos: new Map(videos.map((v) => [v.id, v])), live: sources.some((s) => s.watching) };
  } catch (err) {
    showError(err, root);
    return { videos: new Map(), live: false };
  }
}
