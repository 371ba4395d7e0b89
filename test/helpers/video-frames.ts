/**
 * Single frames as packed rgb24, decoded by the project's ffmpeg: a moment of a video file, or a
 * frame of ffmpeg's own testsrc2 pattern, which needs no file at all.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mediaTools } from '../../src/sources/ffmpeg-binaries.js';
import type { RgbFrame } from '../../src/detection/resize-frame.js';

/** The checkout's root, found from here both in test/ and compiled into dist/test/. */
function checkoutRoot(): string {
  let folder = import.meta.dirname;
  while (!existsSync(join(folder, 'package.json'))) {
    if (dirname(folder) === folder) throw new Error(`no package.json above ${import.meta.dirname}`);
    folder = dirname(folder);
  }
  return folder;
}

/** OpenCV's sample of people walking past a shop; in the shared media folder beside the checkout, when there is one. */
export const VTEST = join(checkoutRoot(), '..', 'shared', 'media', 'opencv', 'vtest.avi');
export const VTEST_SIZE = { width: 768, height: 576 } as const;

export const haveVtest = (): boolean => existsSync(VTEST);

function rawFrame(inputArgs: readonly string[], width: number, height: number): RgbFrame {
  const rgb = execFileSync(
    mediaTools().ffmpeg.path,
    ['-hide_banner', '-loglevel', 'error', ...inputArgs, '-frames:v', '1', '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { maxBuffer: width * height * 3 + 1024 },
  );
  if (rgb.length !== width * height * 3) throw new Error(`ffmpeg gave ${rgb.length} bytes for a ${width}×${height} frame`);
  return { rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length), width, height };
}

/** The frame shown `seconds` into the file (seeking before the input is fast, and ffmpeg still decodes up to the exact frame). */
export function frameAt(path: string, seconds: number, size: { width: number; height: number }): RgbFrame {
  return rawFrame(['-ss', String(seconds), '-i', path], size.width, size.height);
}

/** ffmpeg's testsrc2 pattern (colour bars, a gradient, moving shapes), `seconds` into it. */
export function testPattern(seconds: number, width: number, height: number): RgbFrame {
  return rawFrame(['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=10`, '-ss', String(seconds)], width, height);
}
