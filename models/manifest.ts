/**
 * `.vidmem-manifest.json` in a cached model folder: where the files came from and the size and
 * sha256 of each, as verified when it was written. `vidmem models verify` re-hashes against it,
 * and a model's fingerprint is read from it instead of re-hashing hundreds of MB on every start.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from './sha256.js';

export const MANIFEST_FILE = '.vidmem-manifest.json';

export interface FileRecord {
  readonly size: number;
  readonly sha256: string;
  /** Lets a recorded hash stand in for the file only while the file is untouched. */
  readonly mtimeMs: number;
}

export interface Manifest {
  readonly source: 'hub' | 'builtin';
  readonly name: string;
  /** hub: the endpoint and revision asked for, and the commit the hub said it served. */
  readonly endpoint?: string;
  readonly revision?: string;
  commit?: string;
  /** builtin: the generator format the files were made with. */
  readonly format?: string;
  readonly files: Record<string, FileRecord>;
  /** Optional files the source does not have, so that they are not asked for again. */
  readonly absent: string[];
}

export async function readManifest(folder: string): Promise<Manifest | null> {
  const path = join(folder, MANIFEST_FILE);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Manifest;
  } catch {
    return null; // A damaged manifest only costs re-hashing; the files themselves are checked.
  }
}

export async function writeManifest(folder: string, manifest: Manifest): Promise<void> {
  const path = join(folder, MANIFEST_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

/** Records a file that is in place and verified, with the mtime it has now. */
export function recordFile(manifest: Manifest, folder: string, file: string, verified: { size: number; sha256: string }): void {
  manifest.files[file] = { ...verified, mtimeMs: statSync(join(folder, file)).mtimeMs };
}

/** sha256 of a file in a model folder: the manifest's while the file is untouched, else hashed. */
export async function folderFileSha256(folder: string, file: string): Promise<string> {
  const recorded = (await readManifest(folder))?.files[file];
  const path = join(folder, file);
  if (recorded && existsSync(path)) {
    const stat = statSync(path);
    if (stat.size === recorded.size && stat.mtimeMs === recorded.mtimeMs) return recorded.sha256;
  }
  return sha256File(path);
}
