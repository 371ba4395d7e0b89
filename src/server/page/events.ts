/**
 * What the standing questions raised: the latest events, and each new one at the top as it is
 * raised (by this server's own work or a `vidmem watch` in another process), with its snapshot
 * (an object rule's, the boxes it counted drawn), else its keyframe. A click plays its moment. A
 * stream that breaks (the server restarted) is opened again from the last event shown, so none is
 * missed and none is shown twice.
 */
import { getEvents, getJson, withToken } from './api.js';
import { el, showError } from './dom.js';
import type { Player } from './player.js';
import { fileName, momentRange } from './time.js';
import type { AlertEvent } from './types.js';

/** Events listed when the page opens, and kept on it. */
const SHOWN = 20;
const RETRY_MS = 5000;

function eventItem(e: AlertEvent, player: Player): HTMLElement {
  const where = e.source ?? fileName(e.path);
  const range = momentRange(e);
  const picture = e.evidence.snapshot ?? e.evidence.thumbnail;
  const button = el(
    'button',
    { type: 'button', class: 'card event', 'aria-label': `play ${e.rule.name} on ${where} at ${range}` },
    picture ? el('img', { src: withToken(picture), alt: '', width: 160, height: 90 }) : el('span', { class: 'no-thumb' }),
    el('span', { class: 'rule' }, e.rule.name),
    el('span', { class: 'range' }, range),
    el('span', { class: 'muted' }, `${where} · score ${e.score.toFixed(2)}`),
  );
  button.addEventListener('click', () => player.play({ path: e.path, media: e.media, at: e.mediaStart, label: range }));
  return button;
}

export function setUpEvents(root: HTMLElement, player: Player): void {
  const list = el('div', { class: 'cards events', 'aria-live': 'polite' });
  const empty = el('p', { class: 'muted' }, 'No events yet. Standing questions (`vidmem alerts add`) raise them while videos are ingested and cameras watched.');
  root.replaceChildren(empty, list);
  let last = 0;
  const show = (e: AlertEvent, newest: boolean) => {
    last = Math.max(last, e.id);
    empty.hidden = true;
    const item = eventItem(e, player);
    if (newest) list.prepend(item);
    else list.append(item);
    while (list.childElementCount > SHOWN) list.lastElementChild!.remove();
  };
  const follow = async (): Promise<void> => {
    try {
      for await (const { event, data } of getEvents(`/api/events?after=${last}`)) if (event === 'alert') show(data as AlertEvent, true);
    } catch (err) {
      showError(err);
    }
    setTimeout(() => void follow(), RETRY_MS);
  };
  void (async () => {
    try {
      const { events } = await getJson<{ events: AlertEvent[] }>(`/api/events?last=${SHOWN}`);
      for (const e of events) show(e, false);
      await follow();
    } catch (err) {
      showError(err, root);
    }
  })();
}
