import { resolve } from 'node:path';

/**
 * How a local file is named to ffmpeg: `file:` and its absolute path. A bare name would be read
 * as a protocol (`12:00:00.mp4`, `cam1:0001.mp4`: "Protocol not found"), as stdin (`-`) or, in
 * an argument position, as an option (`-report`); with the `file:` prefix it is only ever a file.
 */
export function fileInput(path: string): string {
  return `file:${resolve(path)}`;
}
