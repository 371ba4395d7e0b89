/** The page's start: the store's name, its library, then search, events and chat over it. */
import { getJson } from './api.js';
import { byId, showError } from './dom.js';
import { showLibrary } from './library.js';
import { setUpManage } from './manage.js';
import { Player } from './player.js';
import { setUpChat } from './chat.js';
import { setUpEvents } from './events.js';
import { setUpSearch, showScopes } from './search.js';
import { fileName } from './time.js';
import type { Video } from './types.js';

interface Health {
  readonly store: string;
  readonly videos: number;
  readonly model: string | null;
  readonly saves: boolean;
}

/** How often the library is read again while the server watches a camera: its clips grow by themselves. */
const LIVE_REFRESH_MS = 5000;

async function showStore(): Promise<Health | null> {
  try {
    const health = await getJson<Health>('/health');
    const name = fileName(health.store.replace(/[\\/]+$/, ''));
    byId('store-name').textContent = name;
    byId('store-name').title = health.store;
    byId('store-info').textContent = `${health.videos} video${health.videos === 1 ? '' : 's'}${health.model ? ` · model ${health.model}` : ''}`;
    document.title = `${name} · vidmem`;
    return health;
  } catch (err) {
    showError(err);
    return null;
  }
}

const player = new Player();
let videos: ReadonlyMap<number, Video> = new Map();
let nextRefresh: ReturnType<typeof setTimeout> | undefined;

async function refresh(): Promise<void> {
  clearTimeout(nextRefresh);
  const health = await showStore();
  const saves = health?.saves ?? false;
  byId('manage').hidden = !saves;
  const shown = await showLibrary(byId('library'), player, saves ? refresh : null);
  videos = shown.videos;
  showScopes(byId<HTMLSelectElement>('scope'), videos);
  if (shown.live) nextRefresh = setTimeout(() => void refresh(), LIVE_REFRESH_MS);
}

setUpSearch(byId<HTMLFormElement>('search'), byId('results'), player, () => videos);
setUpChat(byId<HTMLFormElement>('chat'), player, () => videos);
setUpEvents(byId('events'), player);
setUpManage(byId<HTMLFormElement>('ingest'), byId<HTMLFormElement>('watch'), byId('jobs'), refresh);
void refresh();
