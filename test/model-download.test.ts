/**
 * Hub downloads against a local server that behaves like huggingface.co: small files answered
 * directly with a git ETag, ONNX files redirected to a "CDN" with the LFS sha256 and size on the
 * redirect (X-Linked-ETag, X-Linked-Size), Range honoured, 404 for files a repo lacks.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_MODELS } from '../models/builtin/index.js';
import type { ModelProgress } from '../models/hub-model.js';
import { MANIFEST_FILE, type Manifest } from '../models/manifest.js';
import { resolveModel } from '../models/resolve-model.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem } from './helpers/cli.js';
import { cpuSessions, openText } from './helpers/models.js';
import { TINY_WHISPER_SEGMENTS, writeTinyWhisper } from './helpers/tiny-whisper.js';
import { whisperGraphs, whisperModelFiles } from '../models/model-files.js';
import { openWhisper } from '../src/speech/whisper-transcriber.js';

const REPO = 'vidmem-test/palette';
/** The same model without its text tower: asking for it must give a 404. */
const NO_TEXT = 'vidmem-test/no-text';
/** A Whisper-shaped model: its config.json says so, and its files are Whisper's. */
const WHISPER = 'vidmem-test/whisper';
const VISION = 'onnx/vision_model.onnx';
const TEXT = 'onnx/text_model.onnx';

interface ServedFile {
  readonly bytes: Buffer;
  readonly sha256: string;
}

interface Request {
  readonly path: string;
  readonly range?: string;
}

let root: string;
let server: Server;
let endpoint: string;
const repos = new Map<string, Map<string, ServedFile>>();
const requests: Request[] = [];
/** Files (repo/path) whose next CDN response stops halfway and drops the connection. */
const cutOnce = new Set<string>();
/** Files the CDN serves with one byte flipped, under the right checksum headers. */
const corrupt = new Set<string>();
const savedEnv = { HF_ENDPOINT: process.env.HF_ENDPOINT, VIDMEM_OFFLINE: process.env.VIDMEM_OFFLINE, HF_HUB_OFFLINE: process.env.HF_HUB_OFFLINE };

function sendBytes(req: IncomingMessage, res: ServerResponse, key: string, file: ServedFile, headers: Record<string, string>): void {
  let bytes = file.bytes;
  if (corrupt.has(key)) {
    bytes = Buffer.from(bytes);
    bytes[bytes.length >> 1] ^= 0xff;
  }
  const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
  if (start >= bytes.length && start > 0) {
    res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end();
    return;
  }
  const body = bytes.subarray(start);
  res.writeHead(start > 0 ? 206 : 200, {
    ...headers,
    'Accept-Ranges': 'bytes',
    'Content-Length': String(body.length),
    ...(start > 0 ? { 'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
  });
  if (cutOnce.delete(key)) {
    // A pause before the drop, so that the first half reaches the client before the reset does.
    res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.destroy(), 100));
    return;
  }
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  requests.push({ path, range: req.headers.range });
  const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
  const resolved = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
  const [, repo = '', file = ''] = cdn ?? resolved ?? [];
  const served = repos.get(repo)?.get(file);
  if (!served) {
    res.writeHead(404, { 'X-Error-Code': 'EntryNotFound' }).end('Entry not found');
    return;
  }
  const key = `${repo}/${file}`;
  if (cdn) {
    // A CDN's own ETag is not the file's sha256 and must not be taken for it.
    sendBytes(req, res, key, served, { ETag: `"${'e'.repeat(64)}"` });
  } else if (file.endsWith('.onnx')) {
    res
      .writeHead(302, {
        Location: `/cdn/${repo}/${file}`,
        'X-Linked-Size': String(served.bytes.length),
        'X-Linked-ETag': `"${served.sha256}"`,
        'X-Repo-Commit': 'c0ffee',
      })
      .end();
  } else {
    const gitSha1 = createHash('sha1').update(`blob ${served.bytes.length}\0`).update(served.bytes).digest('hex');
    sendBytes(req, res, key, served, { ETag: `"${gitSha1}"`, 'X-Repo-Commit': 'c0ffee' });
  }
}

function requestsFor(file: string, repo = REPO): Request[] {
  return requests.filter((r) => r.path === `/cdn/${repo}/${file}` || r.path === `/${repo}/resolve/main/${file}`);
}

function cdnRequestsFor(file: string): Request[] {
  return requests.filter((r) => r.path === `/cdn/${REPO}/${file}`);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function manifestOf(folder: string): Manifest {
  return JSON.parse(readFileSync(join(folder, MANIFEST_FILE), 'utf8')) as Manifest;
}

beforeAll(async () => {
  root = tempDir('vidmem-download-');
  const generated = join(root, 'generated');
  await BUILTIN_MODELS.palette!.generate(generated);
  const files = new Map<string, ServedFile>();
  for (const file of ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', VISION, TEXT]) {
    const bytes = readFileSync(join(generated, file));
    files.set(file, { bytes, sha256: sha256(bytes) });
  }
  repos.set(REPO, files);
  repos.set(NO_TEXT, new Map([...files].filter(([file]) => file !== TEXT)));
  const whisper = writeTinyWhisper(join(root, 'whisper'));
  repos.set(WHISPER, new Map(whisperModelFiles('fp32').filter((f) => existsSync(join(whisper, f.path))).map((f) => {
    const bytes = readFileSync(join(whisper, f.path));
    return [f.path, { bytes, sha256: sha256(bytes) }];
  })));
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.HF_ENDPOINT = endpoint;
  delete process.env.VIDMEM_OFFLINE;
  delete process.env.HF_HUB_OFFLINE;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** The test hub, reachable. */
const online = () => ({ offline: false, hub: { endpoint } });

describe('downloading a hub model', () => {
  it('fetches every file, verifies it, records it, and loads like the built-in model', async () => {
    const cacheDir = join(root, 'cache-ok');
    const events: ModelProgress[] = [];
    const model = await resolveModel(REPO, { ...online(), cacheDir, onProgress: (event) => events.push(event) });

    expect(model).toEqual({ name: REPO, folder: join(cacheDir, 'hub', 'vidmem-test', 'palette'), source: 'hub' });
    for (const [file, served] of repos.get(REPO)!) {
      expect(sha256(readFileSync(join(model.folder, file))), file).toBe(served.sha256);
    }
    const manifest = manifestOf(model.folder);
    expect(manifest).toMatchObject({ source: 'hub', name: REPO, endpoint, revision: 'main', commit: 'c0ffee', absent: ['special_tokens_map.json'] });
    expect(manifest.files[VISION]).toMatchObject({ size: repos.get(REPO)!.get(VISION)!.bytes.length, sha256: repos.get(REPO)!.get(VISION)!.sha256 });
    // The LFS files came through the redirect, their checksum from the hub's own headers.
    expect(cdnRequestsFor(VISION)).toHaveLength(1);

    const visionEvents = events.filter((e) => e.file === VISION);
    expect(visionEvents[0]).toMatchObject({ status: 'initiate', name: REPO });
    expect(visionEvents.at(-1)).toMatchObject({ status: 'done' });
    const last = visionEvents.filter((e) => e.status === 'progress').at(-1)!;
    expect(last.loaded).toBe(last.total);
    expect(last.progress).toBe(100);

    // Same files, same fingerprint, same embeddings as the generated built-in model.
    const [downloaded, generated] = await Promise.all([openText(REPO, { ...online(), cacheDir }), openText('palette', { ...online(), cacheDir })]);
    expect(downloaded.identity.fingerprint).toBe(generated.identity.fingerprint);
    expect(await downloaded.encodeTexts(['red on the left'])).toEqual(await generated.encodeTexts(['red on the left']));
    await Promise.all([downloaded.dispose(), generated.dispose()]);

    // A complete model is used without asking the network again.
    const before = requests.length;
    await resolveModel(REPO, { ...online(), cacheDir });
    expect(requests.length).toBe(before);
  });

  it('resumes an interrupted transfer with a Range request and verifies the result', async () => {
    const cacheDir = join(root, 'cache-resume');
    cutOnce.add(`${REPO}/${VISION}`);
    const model = await resolveModel(REPO, { ...online(), cacheDir });

    const [first, second] = cdnRequestsFor(VISION).slice(-2);
    expect(first!.range).toBeUndefined();
    expect(second!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(sha256(readFileSync(join(model.folder, VISION)))).toBe(repos.get(REPO)!.get(VISION)!.sha256);
    expect(existsSync(join(model.folder, `${VISION}.part`))).toBe(false);
  });

  it('continues a .part left by a killed process', async () => {
    const cacheDir = join(root, 'cache-killed');
    const folder = join(cacheDir, 'hub', 'vidmem-test', 'palette');
    const text = repos.get(REPO)!.get(TEXT)!;
    mkdirSync(join(folder, 'onnx'), { recursive: true });
    writeFileSync(join(folder, `${TEXT}.part`), text.bytes.subarray(0, 1000));

    await resolveModel(REPO, { ...online(), cacheDir });

    expect(cdnRequestsFor(TEXT).at(-1)!.range).toBe('bytes=1000-');
    expect(sha256(readFileSync(join(folder, TEXT)))).toBe(text.sha256);
  });

  it('detects a corrupted file by its sha256 and does not install it', async () => {
    const cacheDir = join(root, 'cache-corrupt');
    corrupt.add(`${REPO}/${VISION}`);
    const error = await resolveModel(REPO, { ...online(), cacheDir }).then(
      () => undefined,
      (err: Error) => err,
    );
    corrupt.clear();
    expect(error?.message).toMatch(new RegExp(`^model ${REPO}: ${VISION} failed verification: sha256 [0-9a-f]{64} does not match`));
    expect(error?.message).toContain(`the expected ${repos.get(REPO)!.get(VISION)!.sha256}`);
    expect(error?.message).toContain(`(${endpoint}/${REPO}/resolve/main/${VISION})`);
    const folder = join(cacheDir, 'hub', 'vidmem-test', 'palette');
    expect(existsSync(join(folder, VISION))).toBe(false);
    expect(existsSync(join(folder, `${VISION}.part`))).toBe(false);
    expect(existsSync(join(folder, 'config.json'))).toBe(true);

    // Once the server is right again, the same call completes the model.
    await resolveModel(REPO, { ...online(), cacheDir });
    expect(sha256(readFileSync(join(folder, VISION)))).toBe(repos.get(REPO)!.get(VISION)!.sha256);
  });

  it("fetches a Whisper repo's files, as its config.json's model_type says, and nothing a CLIP model would need", async () => {
    const cacheDir = join(root, 'cache-whisper');
    const model = await resolveModel(WHISPER, { cacheDir, ...online() });
    expect(requestsFor(VISION, WHISPER)).toEqual([]);
    for (const file of whisperModelFiles('fp32')) if (file.required) expect(existsSync(join(model.folder, file.path))).toBe(true);
    const transcribe = await openWhisper(cpuSessions(1), model.folder, whisperGraphs('fp32'));
    expect(await transcribe(new Float32Array(4 * 16000), 0)).toEqual(TINY_WHISPER_SEGMENTS);
  });

  it('names the file and URL a repo does not have', async () => {
    const cacheDir = join(root, 'cache-404');
    await expect(resolveModel(NO_TEXT, { ...online(), cacheDir })).rejects.toThrow(
      `model ${NO_TEXT} has no file ${TEXT} (${endpoint}/${NO_TEXT}/resolve/main/${TEXT})`,
    );
    expect(requestsFor(TEXT, NO_TEXT).length).toBeGreaterThan(0);
  });

  it('offline, touches no network and lists the missing files', async () => {
    const cacheDir = join(root, 'cache-offline');
    const before = requests.length;
    await expect(resolveModel(REPO, { ...online(), cacheDir, offline: true })).rejects.toThrow(
      `model ${REPO} is not in the cache (${join(cacheDir, 'hub', 'vidmem-test', 'palette')}): missing config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json, ${VISION}, ${TEXT}.`,
    );
    await expect(resolveModel(REPO, { ...online(), cacheDir, offline: true, dtype: 'q8' })).rejects.toThrow(
      'onnx/vision_model_quantized.onnx, onnx/text_model_quantized.onnx',
    );
    expect(requests.length).toBe(before);
  });
});

describe('the command line', () => {
  let cache: string;
  const env = () => ({ VIDMEM_CACHE: cache, HF_ENDPOINT: endpoint });

  beforeAll(() => {
    cache = join(root, 'cache-cli');
  });

  it('pulls with a line per file when not on a terminal, then lists and verifies', async () => {
    const pull = await vidmem(['models', 'pull', REPO], { env: env() });
    expect(pull.stderr).toContain(`vidmem: downloading ${REPO}/${VISION} (`);
    expect(pull.code).toBe(0);
    expect(pull.stdout).toContain(`${REPO}: ready in ${join(cache, 'hub', 'vidmem-test', 'palette')}`);

    const list = JSON.parse((await vidmem(['models', 'list', '--json'], { env: env() })).stdout);
    expect(list.models).toEqual([
      expect.objectContaining({ name: REPO, source: 'hub', complete: true, dtypes: [{ dtype: 'fp32', missing: [] }], partial: [] }),
    ]);

    const verify = await vidmem(['models', 'verify', REPO], { env: env() });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`${REPO}: 6 files ok`);

    const vision = join(cache, 'hub', 'vidmem-test', 'palette', VISION);
    const bytes = readFileSync(vision);
    bytes[100] ^= 1;
    writeFileSync(vision, bytes);
    const damaged = await vidmem(['models', 'verify', REPO], { env: env() });
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toContain(`  ${VISION}: sha256 `);
    expect(damaged.stderr).toBe('vidmem: 1 damaged file; remove the model (vidmem models rm NAME) and pull it again\n');

    expect((await vidmem(['models', 'rm', REPO], { env: env() })).code).toBe(0);
    expect(existsSync(join(cache, 'hub', 'vidmem-test'))).toBe(false);
  });

  it('offline by environment, says which files are missing and how to get the default model', async () => {
    const video = join(root, 'clip.mp4');
    await renderSegments(video, [{ seconds: 2, layout: { full: 'red' } }]);
    const before = requests.length;

    const pull = await vidmem(['models', 'pull', REPO], { env: { ...env(), VIDMEM_OFFLINE: '1' } });
    expect(pull.code).toBe(1);
    expect(pull.stderr).toMatch(/^vidmem: model vidmem-test\/palette is not in the cache \(.*\): missing config\.json, .*onnx\/text_model\.onnx\./);

    const ingest = await vidmem(['ingest', video, '--store', join(root, 'store-default')], { env: { ...env(), HF_HUB_OFFLINE: '1' } });
    expect(ingest.code).toBe(1);
    const lines = ingest.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('vidmem: model Xenova/clip-vit-base-patch32 is not in the cache');
    expect(lines[0]).toContain('run `vidmem models pull Xenova/clip-vit-base-patch32` on a connected machine');
    expect(lines[0]).toContain('--model palette');
    expect(requests.length).toBe(before);
  });
});
