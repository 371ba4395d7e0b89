/**
 * Files of the store written whole or not at all. A write that fails half-way (a full disk) takes
 * its partial file away with it, so no empty or short file is left for a later reader to trip on.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './store-errors.js';

/**
 * A part of a file name that no other process, and no other write of this one, uses: the process
 * id (from which a cleanup tells whether the writer still runs) and a random part.
 */
export function uniqueTag(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** The folder exists; something else in its place is a StoreError that names it. */
export function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw err;
    const inTheWay = pathInTheWay(dir);
    throw new StoreError(`${inTheWay} is a file where vidmem keeps a folder; move it away`, { cause: err });
  }
}

/** The part of `dir` that exists and is not a folder. */
function pathInTheWay(dir: string): string {
  for (let path = dir; dirname(path) !== path; path = dirname(path)) {
    try {
      if (!statSync(path).isDirectory()) return path;
    } catch {
      // Below the file in the way nothing exists.
    }
  }
  return dir;
}

/** Writes `data` to `file`, flushed to the disk when `durable`; on failure no part of it is left. */
export function writeWhole(file: string, data: Uint8Array | string, durable: boolean): void {
  const fd = openSync(file, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    if (durable) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeQuietly(file);
    throw err;
  }
  closeSync(fd);
}

/** Replaces `file` through `temporary`, so that a reader sees the old file or the new one. */
export function replaceFile(file: string, temporary: string, data: Uint8Array | string, durable: boolean): void {
  writeWhole(temporary, data, durable);
  try {
    renameSync(temporary, file);
  } catch (err) {
    removeQuietly(temporary);
    throw err;
  }
}

/** Flushes a file written by someone else (a native library) to the disk. */
export function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes renames in `dir` durable; some platforms (Windows) cannot open a folder for that. */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Best effort: what cannot be removed now is removed by a later cleanup or never matters. */
export function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // See above.
  }
}
