import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaError } from '../core/errors.js';
import { mediaTools, type Binary } from './ffmpeg-binaries.js';
import { runProcess } from './run-process.js';

/** DejaVu Sans from Debian's fonts-dejavu-core: the font the generated lectures are set in. */
export const LECTURE_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/**
 * Where a slide's text goes and how big it is, in fractions of the frame: left edge, tops of the
 * title and the body lines, font sizes as fractions of the height.
 */
export const LECTURE_LAYOUT = { left: 0.08, titleTop: 0.14, titleSize: 0.075, bodyTop: 0.42, bodySpacing: 0.14, bodySize: 0.05 } as const;

export interface LectureSlide {
  readonly title: string;
  /** Body lines below the title. */
  readonly lines: readonly string[];
  readonly seconds: number;
}

export interface LectureOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** Subtitle cues muxed into the file as a stream of its own (an .mkv keeps them as SubRip). */
  readonly subtitles?: string;
  readonly font?: string;
  /** Default: the npm package's ffmpeg. */
  readonly ffmpeg?: Binary;
}

/** When each slide is shown, seconds from the start. */
export function slideTimes(slides: readonly LectureSlide[]): Array<{ start: number; end: number }> {
  let start = 0;
  return slides.map((slide) => {
    const span = { start, end: start + slide.seconds };
    start = span.end;
    return span;
  });
}

/**
 * Renders slides of black text on white, one after the other, into an H.264 file: lectures with
 * known words for tests, the benchmark and the example. Each line is drawn from a file of its own
 * (drawtext's `textfile`), so no text needs escaping for the filter graph.
 */
export async function renderLecture(path: string, slides: readonly LectureSlide[], options: LectureOptions = {}): Promise<void> {
  const { width = 1280, height = 720, fps = 2, font = LECTURE_FONT, ffmpeg = mediaTools().ffmpeg } = options;
  if (!existsSync(font)) throw new MediaError(`the lecture font ${font} is missing (Debian: apt-get install fonts-dejavu-core)`);
  const folder = mkdtempSync(join(tmpdir(), 'vidmem-lecture-'));
  try {
    const filters: string[] = [];
    const times = slideTimes(slides);
    slides.forEach((slide, s) => {
      const { start, end } = times[s]!;
      const draw = (text: string, size: number, top: number, name: string): void => {
        const file = join(folder, `${s}-${name}.txt`);
        writeFileSync(file, text);
        filters.push(
          `drawtext=fontfile=${font}:textfile=${file}:fontsize=${Math.round(height * size)}:fontcolor=black` +
            `:x=${Math.round(width * LECTURE_LAYOUT.left)}:y=${Math.round(height * top)}:enable='gte(t,${start})*lt(t,${end})'`,
        );
      };
      const { titleSize, titleTop, bodySize, bodyTop, bodySpacing } = LECTURE_LAYOUT;
      draw(slide.title, titleSize, titleTop, 'title');
      slide.lines.forEach((line, i) => draw(line, bodySize, bodyTop + bodySpacing * i, `line${i}`));
    });
    const total = times.at(-1)?.end ?? 0;
    const graphFile = join(folder, 'graph.txt');
    writeFileSync(graphFile, `color=c=white:s=${width}x${height}:r=${fps}:d=${total},${filters.join(',')}[v]`);
    const subtitleInput = options.subtitles ? ['-i', options.subtitles] : [];
    const subtitleMap = options.subtitles ? ['-map', '1:s:0', '-c:s', path.endsWith('.mp4') ? 'mov_text' : 'srt'] : [];
    const result = await runProcess(ffmpeg.path, [
      '-hide_banner', '-loglevel', 'error', '-y', '-filter_complex_script', graphFile, ...subtitleInput, '-map', '[v]', ...subtitleMap,
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-g', String(fps * 10), '-pix_fmt', 'yuv420p', path,
    ]);
    if (result.code !== 0) throw new MediaError(`ffmpeg could not render ${path}: ${result.stderr.trim().split('\n').at(-1)}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
