import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { MediaError } from '../core/errors.js';
import type { Binary } from './ffmpeg-binaries.js';
import { fileInput } from './media-input.js';
import { runProcess } from './run-process.js';

/** Subtitles as found: where they came from (for messages) and their text. */
export interface SubtitleSource {
  readonly origin: string;
  readonly format: 'srt' | 'vtt';
  readonly content: string;
}

const SIDECAR = /^\.(?:([\w-]+)\.)?(srt|vtt)$/i;
const ENGLISH = /^(en|eng)(-|$)/i;

/**
 * The subtitle file beside a video, as players find it: `talk.srt` or `talk.vtt` first, else a
 * language-tagged one (`talk.en.vtt`), English before the others, so that one video does not get
 * the same lines twice in two languages.
 */
export async function findSidecar(videoPath: string): Promise<string | undefined> {
  const folder = dirname(videoPath);
  const stem = basename(videoPath, extname(videoPath));
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return undefined;
  }
  const found = names
    .filter((name) => name.startsWith(stem) && SIDECAR.test(name.slice(stem.length)))
    .map((name) => ({ name, language: SIDECAR.exec(name.slice(stem.length))![1] }))
    .sort((a, b) => rank(a.language) - rank(b.language) || a.name.localeCompare(b.name));
  return found[0] && join(folder, found[0].name);
}

function rank(language: string | undefined): number {
  if (language === undefined) return 0;
  return ENGLISH.test(language) ? 1 : 2;
}

export async function readSubtitleFile(path: string): Promise<SubtitleSource> {
  const format = extname(path).slice(1).toLowerCase();
  if (format !== 'srt' && format !== 'vtt') throw new MediaError(`${path}: subtitles must be a .srt or .vtt file`);
  try {
    return { origin: path, format, content: await readFile(path, 'utf8') };
  } catch (err) {
    throw new MediaError(`${path}: cannot read subtitles (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/**
 * The first subtitle stream inside a container, converted to WebVTT by ffmpeg; undefined when
 * the file has none. Picture-based subtitles (DVD, Blu-ray) cannot become text and say so.
 */
export async function embeddedSubtitles(path: string, ffmpeg: Binary): Promise<SubtitleSource | undefined> {
  const result = await runProcess(ffmpeg.path, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', fileInput(path), '-map', '0:s:0?', '-f', 'webvtt', 'pipe:1']);
  if (result.code === 0) return { origin: `${path} (subtitle stream)`, format: 'vtt', content: result.stdout };
  if (/does not contain any stream/.test(result.stderr)) return undefined;
  const reason = result.stderr.trim().split('\n').at(-1) ?? `ffmpeg exited with ${result.code}`;
  throw new MediaError(`${path}: its subtitle stream cannot be read as text (${reason})`);
}
