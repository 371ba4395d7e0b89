import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface Binary {
  readonly path: string;
  /** Where the path came from, so that errors and `vidmem doctor` can say which ffmpeg is in use. */
  readonly origin: 'env' | 'npm package';
}

export interface MediaTools {
  readonly ffmpeg: Binary;
}

/**
 * ffmpeg-static downloads its binary at install time and fails offline, so the default binaries
 * come from npm packages that carry them; the configuration may name any other build (Debian's
 * ffmpeg has scdet, dav1d and SRT, which the npm 2018 snapshot lacks).
 */
export function mediaTools(chosen: { readonly ffmpeg?: string } = {}): MediaTools {
  return {
    ffmpeg: chosen.ffmpeg ? { path: chosen.ffmpeg, origin: 'env' } : { path: packaged('@ffmpeg-installer/ffmpeg'), origin: 'npm package' },
  };
}

function packaged(name: string): string {
  return (require(name) as { path: string }).path;
}

/** How a binary that would not start is named in an error: its path, and the variable that chose it. */
export function describeBinary(name: 'ffmpeg', binary: Binary): string {
  return `${name} ${binary.path}${binary.origin === 'env' ? ` (from VIDMEM_${name.toUpperCase()})` : ''}`;
}
