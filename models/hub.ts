/**
 * The Hugging Face hub as vidmem talks to it: which names are repo ids and where a repo's files
 * are served from, in the URL layout transformers.js and huggingface_hub use
 * (`<endpoint>/<repo>/resolve/<revision>/<file>`).
 */
import { join } from 'node:path';
import { VERSION } from '../src/core/version.js';

/** Where the hub is and who asks: the endpoint (HF_ENDPOINT, a mirror) and a token for gated or private repos. */
export interface HubAccess {
  readonly endpoint: string;
  readonly token?: string;
}

/** Models are fetched from the default branch; the commit served is recorded in the manifest. */
export const HUB_REVISION = 'main';

/** `org/name`, as the hub spells repo ids (the rule transformers.js' isValidHfModelId applies). */
export function isHubRepoId(name: string): boolean {
  return /^[A-Za-z0-9][\w.-]{0,95}\/[\w.-]{1,96}$/.test(name) && !name.includes('..') && !name.includes('--') && !name.endsWith('.git');
}

export function hubFileUrl(hub: HubAccess, repo: string, file: string): string {
  const encodedFile = file.split('/').map(encodeURIComponent).join('/');
  return `${hub.endpoint.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(HUB_REVISION)}/${encodedFile}`;
}

/** Where a repo's files live in the cache: the repo-relative layout transformers.js' file cache uses. */
export function hubFolder(cacheDir: string, repo: string): string {
  return join(cacheDir, 'hub', ...repo.split('/'));
}

/** A token goes to the endpoint the user chose, as huggingface_hub does. */
export function hubHeaders(hub: HubAccess): Record<string, string> {
  return { 'User-Agent': `vidmem/${VERSION}`, ...(hub.token ? { Authorization: `Bearer ${hub.token}` } : {}) };
}
