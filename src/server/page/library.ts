/** What the store holds: files with how far their ingest got, live sources with the time they cover and their gaps. */
import { getJson } from './api.js';
import { el, showError } from './dom.js';
import type { Player } from './player.js';
import { fileName, timestamp, wallClock } from './time.js';
import type { Source, Video } from './types.js';

function videoItem(v: Video, player: Player): HTMLElement {
  const name = fileName(v.path);
  const play = v.media === null ? null : el('button', { type: 'button', class: 'link', title: v.path }, name);
  play?.addEventListener('click', () => player.play({ path: v.path, media: v.media!, at: 0, label: timestamp(0) }));
  return el(
    'li',
    { class: 'video' },
    play ?? el('span', { title: v.path }, name),
    el('span', { class: `badge ${v.status}` }, v.status),
    el('span', { class: 'muted' }, `${v.clips} clips · ${timestamp(v.durationSec)}`, v.startsAt ? ` · from ${wallClock(v.startsAt)}` : ''),
  );
}

function sourceItem(s: Source): HTMLElement {
  const gaps = s.gaps.map((g) => el('li', {}, `${wallClock(g.start)} – ${g.end ? wallClock(g.end) : 'now'}: ${g.reason}`));
  return el(
    'li',
    { class: 'source' },
    el('strong', { title: s.url }, s.name),
    s.watching ? el('span', { class: 'badge watching' }, 'watching') : null,
    el('span', { class: 'muted' }, `${s.segments} segments · ${s.clips} clips`),
    el('span', {}, s.from ? `${wallClock(s.from)} → ${s.until ? wallClock(s.until) : 'now'}` : 'not connected yet'),
    gaps.length > 0 ? el('details', {}, el('summary', {}, `${gaps.length} gap${gaps.length === 1 ? '' : 's'}`), el('ul', {}, ...gaps)) : null,
  );
}

/** The library's videos, for the search results' timelines. */
export async function showLibrary(root: HTMLElement, player: Player): Promise<ReadonlyMap<number, Video>> {
  try {
    const [{ videos }, { sources }] = await Promise.all([getJson<{ videos: Video[] }>('/api/videos'), getJson<{ sources: Source[] }>('/api/sources')]);
    // A live source's segments are listed under the source, not one by one.
    const files = videos.filter((v) => v.source === null);
    root.replaceChildren(
      files.length + sources.length === 0 ? el('p', { class: 'muted' }, 'Nothing stored yet: ingest a video with `vidmem ingest FILE`.') : '',
      files.length > 0 ? el('ul', { class: 'videos' }, ...files.map((v) => videoItem(v, player))) : '',
      sources.length > 0 ? el('h3', {}, 'Live sources') : '',
      sources.length > 0 ? el('ul', { class: 'sources' }, ...sources.map(sourceItem)) : '',
    );
    return new Map(videos.map((v) => [v.id, v]));
  } catch (err) {
    showError(err, root);
    return new Map();
  }
}
