import { spawn } from 'node:child_process';
import { MediaError } from '../core/errors.js';
import { SPEECH_SAMPLE_RATE } from '../core/speech-audio.js';
import type { Binary } from './ffmpeg-binaries.js';

/**
 * A video's first audio stream as mono float32 samples at the speech rate (16 kHz), streamed from ffmpeg's stdout.
 * `input` is what ffmpeg is given (a `file:` path, so a name starting with `-` or holding `:` is
 * never read as an option or protocol). A video without audio gives no samples, not an error.
 */
export function decodeAudio(path: string, ffmpeg: Binary, input: string = `file:${path}`): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg.path, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', input, '-map', '0:a:0?', '-vn', '-f', 'f32le', '-ac', '1', '-ar', String(SPEECH_SAMPLE_RATE), 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        if (/does not contain any stream|Output file .* does not contain/.test(stderr)) return resolve(new Float32Array(0));
        const reason = stderr.trim().split('\n').at(-1) ?? `ffmpeg exited with ${code}`;
        return reject(new MediaError(`${path}: its audio cannot be decoded (${reason})`));
      }
      const bytes = Buffer.concat(chunks);
      // Copied into a fresh buffer: Buffer.concat may return an unaligned view of a shared pool.
      const samples = new Float32Array(Math.floor(bytes.length / 4));
      new Uint8Array(samples.buffer).set(bytes.subarray(0, samples.length * 4));
      resolve(samples);
    });
  });
}
