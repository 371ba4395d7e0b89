/** The one <video> every result, citation and library entry plays in, with the text of what it shows. */
import { withToken } from './api.js';
import { byId, el } from './dom.js';
import { fileName, momentRange } from './time.js';
import type { Moment } from './types.js';

export interface Playable {
  readonly path: string;
  readonly media: string;
  readonly at: number;
  readonly label: string;
  readonly text?: Moment['text'];
}

export function momentPlayable(m: Moment): Playable | undefined {
  return m.media === null ? undefined : { path: m.path, media: m.media, at: m.mediaStart, label: momentRange(m), text: m.text };
}

export class Player {
  private readonly video = byId<HTMLVideoElement>('player');
  private readonly caption = byId('player-caption');
  private readonly section = byId('player-panel');

  play(what: Playable): void {
    const src = new URL(withToken(what.media), location.href).href;
    const seek = () => {
      this.video.currentTime = what.at;
      // A page that was never clicked (or a test's headless browser) may refuse to start playing: the seek still holds.
      this.video.play().catch(() => undefined);
    };
    if (this.video.src === src && this.video.readyState >= HTMLMediaElement.HAVE_METADATA) seek();
    else {
      this.video.addEventListener('loadedmetadata', seek, { once: true });
      this.video.src = src;
    }
    this.showCaption(what);
    this.section.hidden = false;
    this.section.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  private showCaption(what: Playable): void {
    const lines = (what.text ?? []).map((t) => el('li', {}, el('span', { class: 'channel' }, t.channel), ' ', t.text));
    const now = el('p', { class: 'now' }, el('strong', {}, fileName(what.path)), ' ', what.label);
    this.caption.replaceChildren(now, ...(lines.length > 0 ? [el('ul', { class: 'clip-text' }, ...lines)] : []));
  }
}
