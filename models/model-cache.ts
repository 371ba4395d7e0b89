/**
 * What is in the model cache and whether it is intact: the questions `vidmem models list`,
 * `verify` and `rm` answer. Hub models live in `<cache>/hub/<org>/<name>`, built-in ones in
 * `<cache>/builtin/<name>`.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { UserError } from '../src/core/errors.js';
import { missingFiles } from './hub-model.js';
import { MANIFEST_FILE, readManifest, recordFile, writeManifest } from './manifest.js';
import { DTYPES, type Dtype } from '../src/core/config.js';
import { clipModelFiles, onnxPath } from './model-files.js';
import type { ModelRef } from './resolve-model.js';
import { sha256File } from './sha256.js';

export interface DtypeStatus {
  readonly dtype: Dtype;
  /** Required files of this precision not in the folder (empty: usable). */
  readonly missing: readonly string[];
}

export interface CachedModel {
  readonly name: string;
  readonly source: 'hub' | 'builtin';
  readonly folder: string;
  /** Bytes on disk, interrupted downloads included. */
  readonly bytes: number;
  /** The precisions the folder holds any ONNX file of. */
  readonly dtypes: readonly DtypeStatus[];
  /** Files whose download was interrupted (`.part`); the next pull resumes them. */
  readonly partial: readonly string[];
  readonly complete: boolean;
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(folder, join(entry.parentPath, entry.name)));
}

async function describe(name: string, source: CachedModel['source'], folder: string): Promise<CachedModel> {
  const files = await filesUnder(folder);
  const bytes = files.reduce((sum, file) => sum + statSync(join(folder, file)).size, 0);
  const partial = files.filter((file) => file.endsWith('.part')).map((file) => file.slice(0, -'.part'.length));
  const held = (dtype: Dtype) => (['vision', 'text'] as const).some((tower) => files.includes(onnxPath(tower, dtype)) || partial.includes(onnxPath(tower, dtype)));
  // Built-in models are generated whole, and a benchmark-only one has no text tower to miss.
  const dtypes = DTYPES.filter(held).map((dtype) => ({ dtype, missing: source === 'hub' ? missingFiles(folder, clipModelFiles(dtype)) : [] }));
  const whole = source === 'hub' || files.includes(MANIFEST_FILE);
  const complete = whole && dtypes.length > 0 && partial.length === 0 && dtypes.every((status) => status.missing.length === 0);
  return { name, source, folder, bytes, dtypes, partial, complete };
}

async function subfolders(folder: string): Promise<string[]> {
  if (!existsSync(folder)) return [];
  const entries = await readdir(folder, { withFileTypes: true });
  // Built-in models are generated in `<name>.tmp-<pid>` and renamed; those are not models yet.
  return entries.filter((entry) => entry.isDirectory() && !entry.name.includes('.tmp-')).map((entry) => entry.name).sort();
}

export async function listCachedModels(cache: string): Promise<CachedModel[]> {
  const models: CachedModel[] = [];
  for (const org of await subfolders(join(cache, 'hub'))) {
    for (const name of await subfolders(join(cache, 'hub', org))) {
      models.push(await describe(`${org}/${name}`, 'hub', join(cache, 'hub', org, name)));
    }
  }
  for (const name of await subfolders(join(cache, 'builtin'))) {
    models.push(await describe(name, 'builtin', join(cache, 'builtin', name)));
  }
  return models;
}

export interface FileCheck {
  readonly file: string;
  readonly ok: boolean;
  readonly problem?: string;
}

/**
 * Re-hashes every file the folder's manifest records. A file that is intact but was touched gets
 * its record refreshed, so that its fingerprint is read from the manifest again.
 */
export async function verifyModel(ref: ModelRef): Promise<FileCheck[]> {
  const manifest = await readManifest(ref.folder);
  if (!manifest) {
    throw new UserError(`model ${ref.name}: ${ref.folder} has no ${MANIFEST_FILE}, so there are no recorded checksums to verify against`);
  }
  const checks: FileCheck[] = [];
  let refreshed = false;
  for (const [file, record] of Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b))) {
    const path = join(ref.folder, file);
    if (!existsSync(path)) {
      checks.push({ file, ok: false, problem: 'missing' });
      continue;
    }
    const stat = statSync(path);
    if (stat.size !== record.size) {
      checks.push({ file, ok: false, problem: `${stat.size} bytes, recorded ${record.size}` });
      continue;
    }
    const sha256 = await sha256File(path);
    if (sha256 !== record.sha256) {
      checks.push({ file, ok: false, problem: `sha256 ${sha256}, recorded ${record.sha256}` });
      continue;
    }
    if (stat.mtimeMs !== record.mtimeMs) {
      recordFile(manifest, ref.folder, file, record);
      refreshed = true;
    }
    checks.push({ file, ok: true });
  }
  if (refreshed) await writeManifest(ref.folder, manifest);
  return checks;
}

/** Deletes a cached model's folder, and its organisation's folder once that is empty. */
export async function removeCachedModel(ref: ModelRef): Promise<void> {
  if (ref.source === 'local') throw new UserError(`${ref.folder} is not in the model cache; vidmem removes only what it downloaded or generated`);
  if (!existsSync(ref.folder)) throw new UserError(`model ${ref.name} is not in the cache (${ref.folder})`);
  await rm(ref.folder, { recursive: true, force: true });
  if (ref.source === 'hub' && (await readdir(dirname(ref.folder))).length === 0) await rmdir(dirname(ref.folder));
}
