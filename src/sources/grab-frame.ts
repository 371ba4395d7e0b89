import { spawn } from 'node:child_process';
import type { Frame } from '../core/clips.js';
import { MediaError } from '../core/errors.js';
import { describeBinary, type Binary } from './ffmpeg-binaries.js';
import type { VideoInfo } from './probe.js';

/** Frames read for their text are at most this wide: slide type stays legible, OCR stays fast. */
const MAX_WIDTH = 1280;

/**
 * One frame of a video at full size (at most 1280 wide), for reading its text: the frames of the
 * ingest pipeline are scaled to the encoder's input, far too small for a slide's type. A seek
 * before the input decodes from the keyframe before `time` only.
 */
export function grabFrame(video: VideoInfo, time: number, ffmpeg: Binary): Promise<Frame> {
  const scale = Math.min(1, MAX_WIDTH / Math.max(1, video.width));
  // Even sizes: what every pixel format and scaler takes without complaint.
  const width = Math.max(2, 2 * Math.round((video.width * scale) / 2));
  const height = Math.max(2, 2 * Math.round((video.height * scale) / 2));
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-ss', (video.startTime + time).toFixed(3), '-i', video.input,
    '-map', '0:v:0', '-frames:v', '1', '-vf', `scale=${width}:${height}:flags=bicubic`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (err: NodeJS.ErrnoException) => reject(new MediaError(`cannot run ${describeBinary('ffmpeg', ffmpeg)}: ${err.code ?? err.message}`)));
    child.on('close', () => {
      const rgb = Buffer.concat(chunks);
      if (rgb.length !== width * height * 3) {
        reject(new MediaError(`${video.path}: no frame at ${time.toFixed(1)} s (${stderr.trim().split('\n').at(-1) || 'ffmpeg gave none'})`));
        return;
      }
      resolve({ index: 0, time, width, height, rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length) });
    });
  });
}
