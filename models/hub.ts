/**
 * The Hugging Face hub as vidmem talks to it: which names are repo ids, where a repo's files are
 * served from, and whether the network may be used at all. URLs follow transformers.js'
 * `env.remoteHost` + `env.remotePathTemplate`, so a program that points transformers.js at a
 * mirror points vidmem there too; `HF_ENDPOINT` (the variable huggingface_hub reads) wins.
 */
import { env as transformersEnv } from '@huggingface/transformers';
import { VERSION } from '../src/version.js';

/** Models are fetched from the default branch; the commit served is recorded in the manifest. */
export const HUB_REVISION = 'main';

/** `org/name`, as the hub spells repo ids (the rule transformers.js' isValidHfModelId applies). */
export function isHubRepoId(name: string): boolean {
  return /^[A-Za-z0-9][\w.-]{0,95}\/[\w.-]{1,96}$/.test(name) && !name.includes('..') && !name.includes('--') && !name.endsWith('.git');
}

export function hubEndpoint(): string {
  return (process.env.HF_ENDPOINT || transformersEnv.remoteHost).replace(/\/+$/, '');
}

export function hubFileUrl(repo: string, file: string): string {
  const path = transformersEnv.remotePathTemplate
    .replaceAll('{model}', repo)
    .replaceAll('{revision}', encodeURIComponent(HUB_REVISION));
  const encodedFile = file.split('/').map(encodeURIComponent).join('/');
  return `${hubEndpoint()}/${path.replace(/^\/+|\/+$/g, '')}/${encodedFile}`;
}

/** A token (gated or private repos) goes to the endpoint the user chose, as huggingface_hub does. */
export function hubHeaders(): Record<string, string> {
  const token = process.env.HF_TOKEN ?? process.env.HF_ACCESS_TOKEN;
  return { 'User-Agent': `vidmem/${VERSION}`, ...(token ? { Authorization: `Bearer ${token}` } : {}) };
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/** VIDMEM_OFFLINE, or HF_HUB_OFFLINE which the rest of the ecosystem honours. */
export function offlineByEnvironment(): boolean {
  return truthy(process.env.VIDMEM_OFFLINE) || truthy(process.env.HF_HUB_OFFLINE);
}
