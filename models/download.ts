/**
 * One file from an HTTP(S) URL into place, as a model cache needs it: bytes go to `<target>.part`,
 * an interrupted transfer continues from where it stopped (Range), size and sha256 are checked
 * against what the server vouches for, and only a verified file is renamed into place.
 *
 * transformers.js' own loader (getModelFile) reads each response whole into memory and can neither
 * resume nor check a checksum, which is fine for a browser cache but not for several hundred MB
 * on a flaky link; so vidmem fetches model files itself, over fetch, in the hub's URL layout.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashFileInto } from './sha256.js';

export interface DownloadOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Told as bytes arrive (resumed bytes included); `total` is undefined while the size is unknown. */
  readonly onProgress?: (loaded: number, total: number | undefined) => void;
}

export interface Downloaded {
  readonly size: number;
  readonly sha256: string;
  /** The repo commit the hub served the file from (X-Repo-Commit), when it says. */
  readonly commit?: string;
}

export type DownloadFailure = 'not-found' | 'denied' | 'unreachable' | 'corrupt' | 'failed';

export class DownloadError extends Error {
  constructor(
    readonly failure: DownloadFailure,
    readonly url: string,
    readonly detail: string,
  ) {
    super(`${detail} (${url})`);
    this.name = 'DownloadError';
  }
}

/** A failure worth another attempt from where the bytes stopped. */
class Interrupted extends Error {}

const ATTEMPTS = 4;
const MAX_REDIRECTS = 10;
/** No answer at all from the host: retrying at once will not change that. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

export async function downloadFile(url: string, target: string, options: DownloadOptions = {}): Promise<Downloaded> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptDownload(url, target, options);
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
      if (attempt === ATTEMPTS) throw new DownloadError('failed', url, `gave up after ${ATTEMPTS} attempts: ${err.message}`);
      await sleep(250 * attempt);
    }
  }
}

interface Served {
  readonly response: Response;
  /** What the hub vouches for before redirecting to its CDN (X-Linked-Size, X-Linked-ETag). */
  readonly size?: number;
  readonly sha256?: string;
  readonly commit?: string;
}

/**
 * Follows redirects by hand: the hub puts the LFS file's size and sha256 on the redirect itself,
 * which fetch's automatic following would drop.
 */
async function request(url: string, headers: Record<string, string>): Promise<Served> {
  let current = new URL(url);
  let size: number | undefined;
  let sha256: string | undefined;
  let commit: string | undefined;
  const origin = current.host;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    // A token must not follow the redirect to a CDN on another host (its URLs are pre-signed).
    const sent = current.host === origin ? headers : withoutAuthorization(headers);
    let response: Response;
    try {
      response = await fetch(current, { headers: sent, redirect: 'manual' });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const code = cause?.code ?? '';
      const detail = cause?.message ?? (err as Error).message;
      if (UNREACHABLE.has(code)) throw new DownloadError('unreachable', url, `cannot reach ${current.host}: ${detail}`);
      throw new Interrupted(detail);
    }
    size ??= numberHeader(response.headers.get('x-linked-size'));
    sha256 ??= sha256Etag(response.headers.get('x-linked-etag'));
    // A CDN's own ETag may be 64 hex digits of something else (a Xet hash); only the hub's counts.
    if (current.host === origin) sha256 ??= sha256Etag(response.headers.get('etag'));
    commit ??= response.headers.get('x-repo-commit') ?? undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current);
      continue;
    }
    return { response, size, sha256, commit };
  }
  throw new DownloadError('failed', url, `more than ${MAX_REDIRECTS} redirects`);
}

async function attemptDownload(url: string, target: string, options: DownloadOptions): Promise<Downloaded> {
  const part = `${target}.part`;
  let offset = existsSync(part) ? statSync(part).size : 0;
  const headers: Record<string, string> = {
    ...options.headers,
    // Sizes are compared byte for byte, so the body must not arrive compressed.
    'Accept-Encoding': 'identity',
    ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
  };
  const served = await request(url, headers);
  const { response } = served;
  const status = response.status;

  if (status === 416) {
    // The part may already hold the whole file (the previous run stopped just before the rename).
    await response.body?.cancel();
    const total = numberHeader(response.headers.get('content-range')?.match(/\/(\d+)$/)?.[1] ?? null) ?? served.size;
    if (offset > 0 && total === offset) return install(part, target, await hashFileInto(part, createHash('sha256')), offset, served, url);
    await rm(part, { force: true });
    throw new Interrupted('the partial download did not match the file; starting over');
  }
  if (status === 404) throw new DownloadError('not-found', url, 'not found (HTTP 404)');
  if (status === 401 || status === 403) throw new DownloadError('denied', url, `access denied (HTTP ${status})`);
  if (status === 429 || status >= 500) {
    await response.body?.cancel();
    throw new Interrupted(`HTTP ${status}`);
  }
  if (status !== 200 && status !== 206) throw new DownloadError('failed', url, `unexpected HTTP ${status}`);
  if (!response.body) throw new Interrupted('empty response');

  if (status === 206) {
    const range = response.headers.get('content-range')?.match(/^bytes (\d+)-\d+\/(\d+|\*)$/);
    if (!range || Number(range[1]) !== offset) {
      await response.body.cancel();
      await rm(part, { force: true });
      throw new Interrupted('the server resumed at another offset; starting over');
    }
  } else {
    offset = 0; // The server sent the whole file, Range or not.
  }
  const total =
    served.size ??
    (status === 206
      ? numberHeader(response.headers.get('content-range')?.match(/\/(\d+)$/)?.[1] ?? null)
      : numberHeader(response.headers.get('content-length')));

  // Created only now, so that a failed first request leaves no empty model folder behind.
  await mkdir(dirname(target), { recursive: true });
  const hash = offset > 0 ? await hashFileInto(part, createHash('sha256')) : createHash('sha256');
  let loaded = offset;
  options.onProgress?.(loaded, total);
  // Each chunk is written before the next is read, so whatever arrived survives a dropped
  // connection (or a killed process) and the next attempt resumes after it.
  const file = await open(part, offset > 0 ? 'a' : 'w');
  // A full disk is no reason to try again; a dropped connection is.
  let diskError: Error | undefined;
  try {
    for await (const chunk of response.body as ReadableStream<Uint8Array>) {
      await file.write(chunk).catch((err: Error) => {
        diskError = err;
        throw err;
      });
      hash.update(chunk);
      loaded += chunk.length;
      options.onProgress?.(loaded, total);
    }
    await file.sync();
  } catch (err) {
    if (diskError) throw new DownloadError('failed', url, `cannot write ${part}: ${diskError.message}`);
    const cause = (err as { cause?: Error }).cause;
    throw new Interrupted(`connection lost after ${loaded} bytes (${cause?.message ?? (err as Error).message})`);
  } finally {
    await file.close();
  }
  if (total !== undefined && loaded < total) throw new Interrupted(`connection closed after ${loaded} of ${total} bytes`);
  if (total !== undefined && loaded > total) {
    await rm(part, { force: true });
    throw new DownloadError('corrupt', url, `got ${loaded} bytes, expected ${total}; the download was discarded`);
  }
  return install(part, target, hash, loaded, served, url);
}

async function install(part: string, target: string, hash: Hash, size: number, served: Served, url: string): Promise<Downloaded> {
  const sha256 = hash.digest('hex');
  if (served.sha256 !== undefined && sha256 !== served.sha256) {
    await rm(part, { force: true });
    throw new DownloadError('corrupt', url, `sha256 ${sha256} does not match the expected ${served.sha256}; the download was discarded`);
  }
  await rename(part, target);
  return { size, sha256, ...(served.commit ? { commit: served.commit } : {}) };
}

function numberHeader(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/** The hub's LFS ETags are the file's sha256; git ETags (sha1) and CDN ETags say nothing usable. */
function sha256Etag(value: string | null): string | undefined {
  const bare = value?.replace(/^W\//, '').replaceAll('"', '').trim().toLowerCase();
  return bare && /^[0-9a-f]{64}$/.test(bare) ? bare : undefined;
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== 'authorization'));
}
