/**
 * The offline demo's material: a sample video of coloured scenes whose answers are known in
 * advance, and the questions the demo asks of it. Also how examples and users make such a video.
 */
import type { Config } from '../src/core/config.js';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { renderSegments, type RenderOptions, type Segment } from '../src/sources/synthetic-video.js';

export type { Layout, Segment } from '../src/sources/synthetic-video.js';

/** 42 seconds of coloured scenes with a small moving square. */
export const DEMO_SEGMENTS: readonly Segment[] = [
  { seconds: 6, layout: { full: 'red' } },
  { seconds: 6, layout: { left: 'blue', right: 'yellow' } },
  { seconds: 6, layout: { full: 'green' } },
  { seconds: 6, layout: { top: 'white', bottom: 'black' } },
  { seconds: 6, layout: { left: 'red', right: 'cyan' } },
  { seconds: 6, layout: { full: 'magenta' } },
  { seconds: 6, layout: { top: 'black', bottom: 'yellow' } },
];

export const DEMO_QUERIES = ['red', 'blue on the left', 'white at the top', 'When is there red on the left?', 'yellow at the bottom'];

export function describeLayout(segment: Segment): string {
  const l = segment.layout;
  if ('full' in l) return l.full;
  if ('left' in l) return `${l.left} left, ${l.right} right`;
  return `${l.top} top, ${l.bottom} bottom`;
}

/** An H.264 file of coloured scenes, rendered with the configured ffmpeg. */
export function renderSampleVideo(path: string, segments: readonly Segment[], config: Config, options: Omit<RenderOptions, 'ffmpeg'> = {}): Promise<void> {
  return renderSegments(path, segments, { ...options, ffmpeg: mediaTools(config.binaries).ffmpeg });
}
