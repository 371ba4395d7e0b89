import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface Binary {
  readonly path: string;
  /** Where the path came from, so `vidmem doctor` can say which ffmpeg is in use. */
  readonly origin: 'env' | 'npm package';
}

/**
 * ffmpeg-static downloads its binary at install time and fails offline, so the default binaries
 * come from npm packages that carry them; VIDMEM_FFMPEG / VIDMEM_FFPROBE select any other build
 * (Debian's ffmpeg has scdet, dav1d and SRT, which the npm 2018 snapshot lacks).
 */
export function ffmpegBinary(): Binary {
  const fromEnv = process.env.VIDMEM_FFMPEG;
  if (fromEnv) return { path: fromEnv, origin: 'env' };
  return { path: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path, origin: 'npm package' };
}

export function ffprobeBinary(): Binary {
  const fromEnv = process.env.VIDMEM_FFPROBE;
  if (fromEnv) return { path: fromEnv, origin: 'env' };
  return { path: (require('@ffprobe-installer/ffprobe') as { path: string }).path, origin: 'npm package' };
}
