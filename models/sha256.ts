import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Feeds a file's bytes into `hash`, streamed, so a model of any size costs constant memory. */
export function hashFileInto(path: string, hash: Hash): Promise<Hash> {
  return new Promise((resolve, reject) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash));
  });
}

export async function sha256File(path: string): Promise<string> {
  return (await hashFileInto(path, createHash('sha256'))).digest('hex');
}
