import { stat } from 'node:fs/promises';
import { MediaError } from '../core/errors.js';
import { describeBinary, type Binary } from './ffmpeg-binaries.js';
import { runProcess, type ProcessResult } from './run-process.js';

export interface VideoInfo {
  readonly path: string;
  readonly sizeBytes: number;
  readonly durationSec: number;
  /** Offset of the first timestamp; frame times are reported relative to it. */
  readonly startTime: number;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly codec: string;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  start_time?: string;
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string; start_time?: string };
}

/** Checks that `path` is a readable, non-empty file before ffprobe gets a chance to be cryptic. */
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

function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [num, den] = rate.split('/').map(Number);
  const value = den ? num / den : num;
  return Number.isFinite(value) ? value : 0;
}

/**
 * The most specific thing ffprobe said: a demuxer's own complaint ("moov atom not found") comes
 * before its generic summary ("Invalid data found when processing input").
 */
function ffprobeReason(stderr: string, path: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const specific = lines.find((l) => /^\[[^\]]+ @ [^\]]+\]/.test(l));
  const line = specific ?? lines.at(-1) ?? 'unknown error';
  return line.replace(/^\[[^\]]+ @ [^\]]+\]\s*/, '').replace(`${path}: `, '');
}

/** ffprobe, with a missing or broken binary (a wrong VIDMEM_FFPROBE) reported as such. */
async function ffprobe(binary: Binary, args: readonly string[]): Promise<ProcessResult> {
  try {
    return await runProcess(binary.path, args);
  } catch (err) {
    throw new MediaError(`cannot run ${describeBinary('ffprobe', binary)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export async function probeVideo(path: string, ffprobeBinary: Binary): Promise<VideoInfo> {
  const sizeBytes = await checkFile(path);
  const result = await ffprobe(ffprobeBinary, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path]);
  if (result.code !== 0) {
    throw new MediaError(`${path}: not a readable video (${ffprobeReason(result.stderr, path)})`);
  }
  const parsed = JSON.parse(result.stdout) as FfprobeOutput;
  const video = parsed.streams?.find((s) => s.codec_type === 'video' && (s.width ?? 0) > 0);
  if (!video) throw new MediaError(`${path}: no video stream found (not a video file?)`);
  const durationSec = Number(parsed.format?.duration ?? video.duration ?? NaN);
  if (!Number.isFinite(durationSec) || durationSec <= 0) {
    throw new MediaError(`${path}: video has no known duration (corrupt or still being written?)`);
  }
  return {
    path,
    sizeBytes,
    durationSec,
    startTime: Number(parsed.format?.start_time ?? video.start_time ?? 0) || 0,
    fps: parseRate(video.avg_frame_rate) || parseRate(video.r_frame_rate),
    width: video.width ?? 0,
    height: video.height ?? 0,
    codec: video.codec_name ?? 'unknown',
  };
}

/**
 * Mean seconds between keyframes over the first `windowSec` of the file, read from packet flags
 * (no decoding). Decides whether keyframe-only sampling is dense enough for the requested rate.
 */
export async function keyframeInterval(path: string, ffprobeBinary: Binary, windowSec = 30): Promise<number> {
  const result = await ffprobe(ffprobeBinary, [
    '-v', 'error', '-select_streams', 'v:0', '-read_intervals', `%+${windowSec}`,
    '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path,
  ]);
  if (result.code !== 0) return Infinity;
  const times = result.stdout
    .split('\n')
    .filter((line) => line.includes('K'))
    .map((line) => Number(line.split(',')[0]))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (times.length < 2) return Infinity;
  return (times.at(-1)! - times[0]) / (times.length - 1);
}
