import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { DEFAULTS, type Dtype } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import { BUILTIN_MODELS } from './builtin/index.js';
import type { ProgressCallback } from './hub-model.js';
import { hubFolder, isHubRepoId, type HubAccess } from './hub.js';
import { readManifest, recordFile, writeManifest, type Manifest } from './manifest.js';
import { clipModelFiles, CONFIG_FILE, whisperModelFiles, type ModelFile } from './model-files.js';
import { sha256File } from './sha256.js';

/** Where a model name points. For a hub model the folder may still be incomplete or absent. */
export interface ModelRef {
  /** The name stores record: the built-in name, the repo id, or the folder's absolute path. */
  readonly name: string;
  readonly folder: string;
  readonly source: 'builtin' | 'local' | 'hub';
}

/**
 * Where models come from, as transformers.js' `env` says it: the cache folder, whether the
 * network may be used at all, and the hub.
 */
export interface ModelSources {
  readonly cacheDir: string;
  readonly offline: boolean;
  readonly hub: HubAccess;
}

export interface ResolveOptions extends ModelSources {
  /** Which precision's ONNX files a hub model needs (default fp32). */
  readonly dtype?: Dtype;
  /** Only these files of a hub model (default: all its kind of model needs for the dtype, as its config.json says: Whisper, else CLIP). */
  readonly files?: readonly ModelFile[];
  /** Told once before a built-in model is generated (it takes a moment the first time). */
  readonly onGenerate?: (name: string, folder: string) => void;
  /** Download progress of hub files, like transformers.js' progress_callback. */
  readonly onProgress?: ProgressCallback;
}

/** Bumped whenever a generator's output changes, so caches made by older code are regenerated. */
const BUILTIN_FORMAT = '2';

/**
 * As in transformers.js, a name is a local folder if one exists; vidmem's built-in names come
 * first, and anything shaped `org/name` is otherwise a Hugging Face repo.
 */
export function modelRef(name: string, cache: string): ModelRef {
  if (Object.hasOwn(BUILTIN_MODELS, name)) return { name, folder: join(cache, 'builtin', name), source: 'builtin' };
  const folder = resolve(name);
  if (existsSync(folder)) {
    if (!statSync(folder).isDirectory()) throw new UserError(`model ${name}: is a file; give the model's folder`);
    return { name: folder, folder, source: 'local' };
  }
  if (isHubRepoId(name)) return { name, folder: hubFolder(cache, name), source: 'hub' };
  const builtins = Object.keys(BUILTIN_MODELS).join(', ');
  throw new UserError(
    `unknown model '${name}': not a built-in model (${builtins}), not a folder, and not a Hugging Face repo id such as Xenova/clip-vit-base-patch32`,
  );
}

/** Generates a built-in model, or fetches a hub model's missing files; local folders are as they are. */
export async function ensureModel(ref: ModelRef, options: ResolveOptions): Promise<void> {
  if (ref.source === 'builtin') {
    await ensureBuiltin(ref, options);
  } else if (ref.source === 'hub') {
    const dtype = options.dtype ?? DEFAULTS.dtype;
    // The downloader is loaded only for a hub model: a built-in or local one never needs it.
    const { ensureHubFiles } = await import('./hub-model.js');
    const fetch = (files: readonly ModelFile[]) =>
      ensureHubFiles(ref.name, files, {
        cacheDir: options.cacheDir,
        offline: options.offline,
        hub: options.hub,
        onProgress: options.onProgress,
        dtypeFlag: dtype === DEFAULTS.dtype ? '' : ` --dtype ${dtype}`,
      });
    if (options.files) return void (await fetch(options.files));
    // As in transformers.js, config.json's model_type says what the repo holds and so which files
    // it needs. Offline and without it, the error lists what a CLIP model, the usual kind, lacks.
    if (!options.offline) await fetch([CONFIG_FILE]);
    await fetch((await readModelType(ref.folder)) === 'whisper' ? whisperModelFiles(dtype) : clipModelFiles(dtype));
  }
}

/** A model name → a folder of files in the Hugging Face ONNX layout, ready to load. */
export async function resolveModel(name: string, options: ResolveOptions): Promise<ModelRef> {
  const ref = modelRef(name, options.cacheDir);
  await ensureModel(ref, options);
  return ref;
}

async function ensureBuiltin(ref: ModelRef, options: ResolveOptions): Promise<void> {
  if ((await readManifest(ref.folder))?.format === BUILTIN_FORMAT) return;
  options.onGenerate?.(ref.name, ref.folder);
  // Generate beside the final folder and rename, so a crash never leaves a half-written model.
  const staging = `${ref.folder}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await BUILTIN_MODELS[ref.name]!.generate(staging);
  const manifest: Manifest = { source: 'builtin', name: ref.name, format: BUILTIN_FORMAT, files: {}, absent: [] };
  for (const entry of await readdir(staging, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = relative(staging, join(entry.parentPath, entry.name));
    recordFile(manifest, staging, file, { size: statSync(join(staging, file)).size, sha256: await sha256File(join(staging, file)) });
  }
  // Written last: its presence is what says the folder is complete.
  await writeManifest(staging, manifest);
  await rm(ref.folder, { recursive: true, force: true });
  await rename(staging, ref.folder);
}

async function readModelType(folder: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(folder, CONFIG_FILE.path), 'utf8')) as { model_type?: string }).model_type;
  } catch {
    return undefined;
  }
}
