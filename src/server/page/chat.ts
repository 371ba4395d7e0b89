/**
 * The conversation: each question streams its answer as it arrives, its citations become links
 * that play the cited moment, and follow-ups go to the same session until "New chat". Earlier
 * sessions are listed to be opened again, their turns shown and their follow-ups continued.
 */
import { getJson, postEvents, withToken } from './api.js';
import { citedParts } from './citations.js';
import { byId, el, showError } from './dom.js';
import { explanation } from './explain.js';
import { momentPlayable, type Player } from './player.js';
import type { ChatSession, ChatTurn, Moment, Selection, Video } from './types.js';

function answerNodes(answer: string, evidence: readonly Moment[], player: Player): Array<Node | string> {
  return citedParts(answer, evidence).map((part) => {
    if (typeof part === 'string') return part;
    const playable = momentPlayable(part.moment)!;
    const link = el('a', { class: 'cite', href: `${withToken(playable.media)}#t=${playable.at}` }, part.text);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      player.play(playable);
    });
    return link;
  });
}

/** A kept turn's cited moments, as far as the library can play them (a file's from its start). */
function citedMoments(turn: ChatTurn, videos: ReadonlyMap<number, Video>): Moment[] {
  return turn.evidence.flatMap((c) => {
    const video = videos.get(c.videoId);
    return video ? [{ ...c, path: video.path, thumbnail: null, media: video.media, mediaStart: c.start, text: [] }] : [];
  });
}

/** "Earlier chats": the sessions the store kept, most recently used first; opening one shows its turns. */
function setUpEarlier(open: (session: ChatSession) => Promise<void>): () => Promise<void> {
  const list = byId('past-chats-list');
  const details = byId<HTMLDetailsElement>('past-chats');
  const show = async () => {
    try {
      const { sessions } = await getJson<{ sessions: ChatSession[] }>('/api/chats');
      details.hidden = sessions.length === 0;
      list.replaceChildren(
        ...sessions.map((s) => {
          const button = el('button', { type: 'button', class: 'link' }, s.firstQuestion ?? `chat ${s.id}`);
          button.addEventListener('click', () => void open(s));
          return el('li', {}, button, el('span', { class: 'muted' }, ` · ${s.turns} turn${s.turns === 1 ? '' : 's'} · ${s.updatedAt.slice(0, 16).replace('T', ' ')}`));
        }),
      );
    } catch (err) {
      showError(err);
    }
  };
  details.addEventListener('toggle', () => {
    if (details.open) void show();
  });
  return show;
}

export function setUpChat(form: HTMLFormElement, player: Player, videos: () => ReadonlyMap<number, Video>): void {
  const turns = byId('turns');
  const input = form.elements.namedItem('question') as HTMLInputElement;
  const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  let session: number | null = null;

  byId('new-chat').addEventListener('click', () => {
    session = null;
    turns.replaceChildren();
    input.focus();
  });

  const showEarlier = setUpEarlier(async (chosen) => {
    try {
      const { turns: kept } = await getJson<{ turns: ChatTurn[] }>(`/api/chats/${chosen.id}`);
      session = chosen.id;
      turns.replaceChildren(
        ...kept.map((t) => el('article', { class: 'turn' }, el('p', { class: 'question' }, t.question), el('div', { class: 'answer' }, ...answerNodes(t.answer, citedMoments(t, videos()), player)))),
      );
      byId<HTMLDetailsElement>('past-chats').open = false;
      input.focus();
    } catch (err) {
      showError(err);
    }
  });
  void showEarlier();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    const answer = el('div', { class: 'answer', 'aria-live': 'polite', 'aria-busy': 'true' });
    const turn = el('article', { class: 'turn' }, el('p', { class: 'question' }, question), answer);
    turns.append(turn);
    input.value = '';
    submit.disabled = true;
    let evidence: readonly Moment[] = [];
    let text = '';
    try {
      const path = session === null ? '/api/chats' : `/api/chats/${session}/turns`;
      for await (const { event: name, data } of postEvents(path, { question, explain: true })) {
        if (name === 'selection') {
          const selection = data as Selection;
          evidence = selection.evidence;
          if (selection.explain) turn.append(explanation(selection.explain, videos()));
        } else if (name === 'text') {
          text += (data as { text: string }).text;
          answer.replaceChildren(...answerNodes(text, evidence, player));
        } else if (name === 'done') {
          const done = data as { answer: string; session: number | null };
          session = done.session ?? session;
          answer.replaceChildren(...answerNodes(done.answer, evidence, player));
        } else if (name === 'error') {
          throw new Error((data as { error: string }).error);
        }
      }
    } catch (err) {
      showError(err);
      turn.append(el('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    } finally {
      answer.removeAttribute('aria-busy');
      submit.disabled = false;
      input.focus();
      void showEarlier();
    }
  });
}
