import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

/**
 * Identity of a video file for de-duplication and resume. Hashing a multi-gigabyte recording in
 * full would cost more than sampling it, so the hash covers the size plus 1 MiB at the start,
 * middle and end (the scheme media servers use for the same purpose).
 */
export async function contentHash(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const hash = createHash('sha256').update(`vidmem-v1:${size}:`);
    const offsets = size <= 3 * CHUNK ? [0] : [0, Math.floor(size / 2) - CHUNK / 2, size - CHUNK];
    const buffer = Buffer.alloc(Math.min(size, size <= 3 * CHUNK ? size : CHUNK));
    for (const offset of offsets) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
      hash.update(buffer.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await file.close();
  }
}
