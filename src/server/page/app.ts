/** The page's start: the store's name, its library, then search and chat over it. */
import { getJson } from './api.js';
import { byId, showError } from './dom.js';
import { showLibrary } from './library.js';
import { Player } from './player.js';
import { setUpChat } from './chat.js';
import { setUpSearch } from './search.js';
import { fileName } from './time.js';
import type { Video } from './types.js';

interface Health {
  readonly store: string;
  readonly videos: number;
  readonly model: string | null;
}

async function showStore(): Promise<void> {
  try {
    const health = await getJson<Health>('/health');
    const name = fileName(health.store.replace(/[\\/]+$/, ''));
    byId('store-name').textContent = name;
    byId('store-name').title = health.store;
    byId('store-info').textContent = `${health.videos} video${health.videos === 1 ? '' : 's'}${health.model ? ` · model ${health.model}` : ''}`;
    document.title = `${name} · vidmem`;
  } catch (err) {
    showError(err);
  }
}

const player = new Player();
let videos: ReadonlyMap<number, Video> = new Map();
setUpSearch(byId<HTMLFormElement>('search'), byId('results'), player, () => videos);
setUpChat(byId<HTMLFormElement>('chat'), player, () => videos);
void showStore();
void showLibrary(byId('library'), player).then((found) => (videos = found));
