import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MediaError } from '../core/errors.js';
import { describeBinary, type Binary } from './ffmpeg-binaries.js';
import { fileInput } from './media-input.js';
import { runProcess, type ProcessResult } from './run-process.js';

export interface VideoInfo {
  /** Absolute path of the file. */
  readonly path: string;
  /** The file as ffmpeg is given it (see media-input). */
  readonly input: string;
  readonly sizeBytes: number;
  readonly durationSec: number;
  /** Offset of the first timestamp; frame times are reported relative to it. */
  readonly startTime: number;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly codec: string;
}

/** Checks that `path` is a readable, non-empty file before ffmpeg gets a chance to be cryptic. */
async function checkFile(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MediaError(`${path}: no such file`);
    if (code === 'EACCES') throw new MediaError(`${path}: permission denied`);
    throw new MediaError(`${path}: cannot read (${code ?? String(err)})`);
  }
  if (info.isDirectory()) throw new MediaError(`${path}: is a directory, expected a video file`);
  if (!info.isFile()) throw new MediaError(`${path}: not a regular file`);
  if (info.size === 0) throw new MediaError(`${path}: file is empty`);
  return info.size;
}

/** "10", "29.97", "1k" (ffmpeg's rounding of a rate in its stream line) as a number. */
function parseRate(text: string | undefined): number {
  if (!text) return 0;
  const value = Number(text.replace(/k$/, '')) * (text.endsWith('k') ? 1000 : 1);
  return Number.isFinite(value) ? value : 0;
}

/**
 * The most specific thing ffmpeg said: a demuxer's own complaint ("moov atom not found") comes
 * before its generic summary ("Invalid data found when processing input").
 */
function ffmpegReason(stderr: string, input: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const specific = lines.find((l) => /^\[[^\]]+ @ [^\]]+\]/.test(l));
  const line = specific ?? lines.at(-1) ?? 'unknown error';
  return line.replace(/^\[[^\]]+ @ [^\]]+\]\s*/, '').replace(`${input}: `, '');
}

/** ffmpeg, with a missing or broken binary (a wrong VIDMEM_FFMPEG) reported as such. */
async function ffmpeg(binary: Binary, args: readonly string[]): Promise<ProcessResult> {
  try {
    return await runProcess(binary.path, ['-hide_banner', '-nostdin', ...args]);
  } catch (err) {
    throw new MediaError(`cannot run ${describeBinary('ffmpeg', binary)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const DURATION = /^\s*Duration: (?:(\d+):(\d\d):(\d\d(?:\.\d+)?)|N\/A)(?:, start: (-?\d+(?:\.\d+)?))?/m;
const VIDEO_STREAM = /^\s*Stream #0:\d+\S*: Video: (\w+)(.*)$/gm;

/**
 * What a video is, read from the header ffmpeg prints when it opens a file (`ffmpeg -i`, no
 * output). ffmpeg rather than ffprobe: the ffprobe of the npm package crashes on MPEG-TS, and
 * every container ffmpeg can decode it can also describe. The format's duration and start and
 * the first video stream's codec, size and average rate are the same numbers ffprobe reports.
 */
export async function probeVideo(path: string, ffmpegBinary: Binary): Promise<VideoInfo> {
  const sizeBytes = await checkFile(path);
  const input = fileInput(path);
  // With no output named ffmpeg exits 1 after printing the input; the header tells success.
  const { stderr } = await ffmpeg(ffmpegBinary, ['-i', input]);
  if (!/^Input #0,/m.test(stderr)) throw new MediaError(`${path}: not a readable video (${ffmpegReason(stderr, input)})`);
  const video = [...stderr.matchAll(VIDEO_STREAM)].find((m) => !/\(attached pic\)/.test(m[2]) && /, \d+x\d+/.test(m[2]));
  if (!video) throw new MediaError(`${path}: no video stream found (not a video file?)`);
  const duration = DURATION.exec(stderr);
  const durationSec = duration?.[1] ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : NaN;
  if (!Number.isFinite(durationSec) || durationSec <= 0) {
    throw new MediaError(`${path}: video has no known duration (corrupt or still being written?)`);
  }
  const details = video[2];
  const [, width, height] = /, (\d+)x(\d+)/.exec(details)!;
  return {
    path: resolve(path),
    input,
    sizeBytes,
    durationSec,
    startTime: Number(duration?.[4] ?? 0) || 0,
    fps: parseRate(/, ([\d.]+k?) fps/.exec(details)?.[1]) || parseRate(/, ([\d.]+k?) tbr/.exec(details)?.[1]),
    width: Number(width),
    height: Number(height),
    codec: video[1],
  };
}

/**
 * Mean seconds between keyframes over the first `windowSec` of the file, read from the packets'
 * flags as ffmpeg copies them (no decoding): `framecrc` marks every packet that is not a plain
 * keyframe with `F=0x…`. Decides whether keyframe-only sampling is dense enough for the rate.
 */
export async function keyframeInterval(video: VideoInfo, ffmpegBinary: Binary, windowSec = 30): Promise<number> {
  const result = await ffmpeg(ffmpegBinary, ['-loglevel', 'error', '-t', String(windowSec), '-i', video.input, '-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', 'pipe:1']);
  if (result.code !== 0) return Infinity;
  const timebase = /^#tb 0: (\d+)\/(\d+)$/m.exec(result.stdout);
  if (!timebase) return Infinity;
  const unit = Number(timebase[1]) / Number(timebase[2]);
  const times = result.stdout
    .split('\n')
    .filter((line) => /^0,/.test(line))
    .filter((line) => {
      const flags = /F=0x([0-9a-f]+)/i.exec(line);
      return !flags || (parseInt(flags[1], 16) & 1) === 1;
    })
    .map((line) => Number(line.split(',')[2]) * unit)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (times.length < 2) return Infinity;
  return (times.at(-1)! - times[0]) / (times.length - 1);
}
