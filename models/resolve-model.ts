import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '../src/errors.js';
import { BUILTIN_MODELS } from './builtin/index.js';
import { cacheDir } from './cache-dir.js';

export interface ResolvedModel {
  /** The name stores record: the built-in name, or the folder's absolute path. */
  readonly name: string;
  readonly folder: string;
  readonly source: 'builtin' | 'local';
}

export interface ResolveOptions {
  readonly cacheDir?: string;
  /** Told once before a built-in model is generated (it takes a moment the first time). */
  readonly onGenerate?: (name: string, folder: string) => void;
}

/** Bumped whenever a generator's output changes, so caches made by older code are regenerated. */
const BUILTIN_FORMAT = '1';

async function ensureBuiltin(name: string, options: ResolveOptions): Promise<string> {
  const folder = join(options.cacheDir ?? cacheDir(), 'builtin', name);
  const marker = join(folder, '.vidmem-generated');
  if (existsSync(marker)) return folder;
  options.onGenerate?.(name, folder);
  // Generate beside the final folder and rename, so a crash never leaves a half-written model.
  const staging = `${folder}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await BUILTIN_MODELS[name].generate(staging);
  await writeFile(join(staging, '.vidmem-generated'), `${BUILTIN_FORMAT}\n`);
  await rm(folder, { recursive: true, force: true });
  await rename(staging, folder);
  return folder;
}

/**
 * A model name resolves to a folder of files, as in transformers.js: a built-in name (generated
 * into the cache on first use) or a local folder in the Hugging Face ONNX layout.
 */
export async function resolveModel(name: string, options: ResolveOptions = {}): Promise<ResolvedModel> {
  if (Object.hasOwn(BUILTIN_MODELS, name)) {
    return { name, folder: await ensureBuiltin(name, options), source: 'builtin' };
  }
  const folder = resolve(name);
  if (existsSync(folder)) {
    if (!statSync(folder).isDirectory()) throw new UserError(`model ${name}: is a file; give the model's folder`);
    return { name: folder, folder, source: 'local' };
  }
  const builtins = Object.keys(BUILTIN_MODELS).join(', ');
  throw new UserError(`unknown model '${name}': not a built-in model (${builtins}) and no such folder`);
}
