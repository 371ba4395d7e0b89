/**
 * Lecture slides with known text for the OCR suite and benchmark: drawn with ffmpeg's drawtext in
 * the font and layout of the generated lectures (src/sources/synthetic-lecture.ts), stored as a PNG
 * or a heavily compressed H.264 frame, light or dark, upright or upside down (looks a lecture
 * render does not make), and decoded back to RGB24 the way ingest decodes video.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LECTURE_FONT, LECTURE_LAYOUT } from '../../src/sources/synthetic-lecture.js';

/** The generated lectures' font (DejaVu Sans, from Debian's fonts-dejavu-core). */
export const SLIDE_FONT = LECTURE_FONT;

const ffmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const run = promisify(execFile);

/** Where the text goes, in fractions of the frame: the generated lectures' layout. */
export const SLIDE_LAYOUT = LECTURE_LAYOUT;

export interface Slide {
  readonly title: string;
  /** Body lines, drawn below the title. */
  readonly lines: readonly string[];
}

/** Distinct sentences, so that a line read in the wrong place shows. */
export const SLIDES: readonly Slide[] = [
  { title: 'Plate Tectonics and Volcanoes', lines: ['Magma rises through cracks in the crust', 'Oceanic plates sink beneath continents'] },
  { title: 'Photosynthesis in Green Leaves', lines: ['Chlorophyll absorbs red and blue light', 'Carbon dioxide enters through stomata'] },
];

export interface SlideLook {
  readonly width: number;
  readonly height: number;
  /** x264 constant rate factor of the stored frame; absent: a lossless PNG. */
  readonly crf?: number;
  /** Light text on dark blue instead of black on white. */
  readonly dark?: boolean;
  readonly upsideDown?: boolean;
}

export interface SlideFrame {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Texts are plain words: drawtext's quoting is not under test. */
export async function renderSlide(slide: Slide, look: SlideLook): Promise<SlideFrame> {
  const { width, height } = look;
  const [ink, paper] = look.dark ? ['0xf0f0f0', '0x1e3a5f'] : ['black', 'white'];
  const text = (words: string, size: number, top: number): string =>
    `drawtext=fontfile=${SLIDE_FONT}:text='${words}':fontsize=${Math.round(height * size)}:fontcolor=${ink}:x=${Math.round(width * SLIDE_LAYOUT.left)}:y=${Math.round(height * top)}`;
  const filters = [
    text(slide.title, SLIDE_LAYOUT.titleSize, SLIDE_LAYOUT.titleTop),
    ...slide.lines.map((line, i) => text(line, SLIDE_LAYOUT.bodySize, SLIDE_LAYOUT.bodyTop + SLIDE_LAYOUT.bodySpacing * i)),
  ];
  if (look.upsideDown) filters.push('hflip', 'vflip');
  const folder = mkdtempSync(join(tmpdir(), 'vidmem-slide-'));
  try {
    const stored = join(folder, look.crf === undefined ? 'slide.png' : 'slide.mp4');
    const codec = look.crf === undefined ? [] : ['-c:v', 'libx264', '-crf', String(look.crf), '-pix_fmt', 'yuv420p'];
    await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=${paper}:s=${width}x${height}`, '-vf', filters.join(','), '-frames:v', '1', ...codec, stored]);
    const { stdout } = await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', stored, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
      encoding: 'buffer',
      maxBuffer: width * height * 3 + 1,
    });
    return { rgb: new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength), width, height };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
