import { isAbsolute, relative } from 'node:path';

/** "351.4 MB", in the decimal megabytes the Hugging Face hub lists file sizes in. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A path as short as it can be read unambiguously: relative below the working folder, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
