import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Big reads keep the hash, not the system calls, the cost (see the README for its speed). */
const CHUNK = 4 << 20;

/** A file's identity: its length and the SHA-256 of all its bytes. */
export interface FileIdentity {
  readonly sizeBytes: number;
  readonly hash: string;
  /** The hash of the file's first n bytes, for each n asked for that is shorter than the file. */
  readonly prefixes: ReadonlyMap<number, string>;
}

/**
 * Identity of a video file for de-duplication and resume: the SHA-256 of every byte, read once.
 * A sample of the file (size and a few chunks) called two same-size files that differ elsewhere
 * one video. The hashes of the prefixes asked for come from the same pass (a copy of the running
 * hash at that length): a recording that was still growing when it was ingested is recognised
 * by its first bytes hashing as the stored video did.
 */
export async function fileIdentity(path: string, prefixLengths: readonly number[] = []): Promise<FileIdentity> {
  const file = await open(path, 'r');
  try {
    // The length when the read starts: a file still being written is hashed as it was then.
    const { size } = await file.stat();
    const stops = [...new Set(prefixLengths)].filter((n) => n > 0 && n < size).sort((a, b) => a - b);
    const prefixes = new Map<number, string>();
    const hash: Hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = 0;
    while (position < size) {
      const stop = stops.find((n) => n > position) ?? size;
      const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK, stop - position), position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
      if (position === stop && stop < size) prefixes.set(stop, hash.copy().digest('hex'));
    }
    return { sizeBytes: position, hash: hash.digest('hex'), prefixes };
  } finally {
    await file.close();
  }
}
