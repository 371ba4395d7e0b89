import { mediaTools, type Binary } from './ffmpeg-binaries.js';
import { runProcess } from './run-process.js';

/** One stretch of a generated video: a full-frame colour or a two-colour split. */
export type Layout =
  | { readonly full: string }
  | { readonly left: string; readonly right: string }
  | { readonly top: string; readonly bottom: string };

export interface Segment {
  readonly seconds: number;
  readonly layout: Layout;
}

export interface RenderOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** Keyframe interval in frames (x264 -g). */
  readonly gop?: number;
  /** Draw a small moving square so consecutive frames differ (no static-frame skipping). */
  readonly motion?: boolean;
  /** Default: the npm package's ffmpeg. */
  readonly ffmpeg?: Binary;
}

function layoutSource(layout: Layout, w: number, h: number, seconds: number, fps: number): string {
  const color = (c: string, cw: number, ch: number): string => `color=c=${c}:s=${cw}x${ch}:r=${fps}:d=${seconds}`;
  if ('full' in layout) return color(layout.full, w, h);
  if ('left' in layout) return `${color(layout.left, w / 2, h)}[a];${color(layout.right, w / 2, h)}[b];[a][b]hstack`;
  return `${color(layout.top, w, h / 2)}[a];${color(layout.bottom, w, h / 2)}[b];[a][b]vstack`;
}

/**
 * Renders coloured segments with ffmpeg's lavfi sources into an H.264 file: the demo's sample
 * video, and media with known answers for tests and benchmarks.
 */
export async function renderSegments(path: string, segments: readonly Segment[], options: RenderOptions = {}): Promise<void> {
  const { width = 320, height = 240, fps = 10, gop = fps, motion = false, ffmpeg = mediaTools().ffmpeg } = options;
  const parts = segments.map((s, i) => `${layoutSource(s.layout, width, height, s.seconds, fps)},setsar=1[s${i}]`);
  const inputs = segments.map((_, i) => `[s${i}]`).join('');
  let graph = `${parts.join(';')};${inputs}concat=n=${segments.length}:v=1:a=0`;
  if (motion) {
    const box = Math.max(8, Math.round(width / 16));
    graph += `[bg];color=c=gray:s=${box}x${box}:r=${fps}[box];[bg][box]overlay=x='mod(t*${width / 4},W-w)':y=H/2:shortest=1`;
  }
  graph += '[v]';
  const result = await runProcess(ffmpeg.path, [
    '-hide_banner', '-loglevel', 'error', '-y', '-filter_complex', graph, '-map', '[v]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(gop), '-pix_fmt', 'yuv420p', path,
  ]);
  if (result.code !== 0) throw new Error(`ffmpeg could not render ${path}: ${result.stderr.trim().split('\n').at(-1)}`);
}
