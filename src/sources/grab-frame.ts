import { spawn } from 'node:child_process';
import type { Frame } from '../core/clips.js';
import { MediaError } from '../core/errors.js';
import type { ImageInput } from '../core/ports/encoders.js';
import { describeBinary, type Binary } from './ffmpeg-binaries.js';
import type { VideoInfo } from './probe.js';

/** Frames read for their text are at most this wide: slide type stays legible, OCR stays fast. */
const MAX_WIDTH = 1280;

/** One frame that ffmpeg makes of `args` (input and filter given), as packed RGB24 of width × height. */
function rawFrame(args: readonly string[], width: number, height: number, ffmpeg: Binary, what: () => string): Promise<Uint8Array> {
  const all = ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg.path, all, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (err: NodeJS.ErrnoException) => reject(new MediaError(`cannot run ${describeBinary('ffmpeg', ffmpeg)}: ${err.code ?? err.message}`)));
    child.on('close', () => {
      const rgb = Buffer.concat(chunks);
      if (rgb.length !== width * height * 3) {
        reject(new MediaError(`${what()} (${stderr.trim().split('\n').at(-1) || 'ffmpeg gave none'})`));
        return;
      }
      resolve(new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length));
    });
  });
}

/**
 * One frame of a video at full size (at most 1280 wide), for reading its text: the frames of the
 * ingest pipeline are scaled to the encoder's input, far too small for a slide's type. A seek
 * before the input decodes from the keyframe before `time` only.
 */
export async function grabFrame(video: VideoInfo, time: number, ffmpeg: Binary): Promise<Frame> {
  const scale = Math.min(1, MAX_WIDTH / Math.max(1, video.width));
  // Even sizes: what every pixel format and scaler takes without complaint.
  const width = Math.max(2, 2 * Math.round((video.width * scale) / 2));
  const height = Math.max(2, 2 * Math.round((video.height * scale) / 2));
  const args = ['-ss', (video.startTime + time).toFixed(3), '-i', video.input, '-map', '0:v:0', '-vf', `scale=${width}:${height}:flags=bicubic`];
  const rgb = await rawFrame(args, width, height, ffmpeg, () => `${video.path}: no frame at ${time.toFixed(1)} s`);
  return { index: 0, time, width, height, rgb };
}

/**
 * A picture file (JPEG, PNG, … or a video's first frame) as the encoder sees its frames: through
 * the same ffmpeg filter, so that an example image and a clip are compared like for like.
 */
export function readPicture(path: string, input: ImageInput, ffmpeg: Binary): Promise<Uint8Array> {
  const args = ['-i', path, '-map', '0:v:0', '-vf', input.scaleFilter];
  return rawFrame(args, input.width, input.height, ffmpeg, () => `${path}: not a picture ffmpeg can read`);
}
