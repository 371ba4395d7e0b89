import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where models live: VIDMEM_CACHE, else the XDG cache directory, as other tools of the field do. */
export function cacheDir(): string {
  if (process.env.VIDMEM_CACHE) return process.env.VIDMEM_CACHE;
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'vidmem');
}
