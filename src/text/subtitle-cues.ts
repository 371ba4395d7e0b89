import { parseText } from 'media-captions';
import type { ClipText, TextChannel } from '../core/clip-text.js';

export type SubtitleFormat = 'srt' | 'vtt';

export interface SubtitleCues {
  readonly texts: ClipText[];
  /** What was wrong with the file, when something was: the cues that could be read are still given. */
  readonly problem?: string;
}

/** The format a subtitle file's name says it is in; undefined for one vidmem cannot read. */
export function subtitleFormat(path: string): SubtitleFormat | undefined {
  const extension = path.toLowerCase().split('.').at(-1);
  return extension === 'srt' || extension === 'vtt' ? extension : undefined;
}

/**
 * Cues of a SubRip or WebVTT file as text of the subtitle channel, markup (`<i>`, `<v Bob>`) taken
 * out. The strict parse names the first fault with its line; the lenient one keeps every cue it
 * can, so one bad timestamp in a long transcript does not lose the rest.
 */
export async function parseSubtitles(content: string, format: SubtitleFormat, channel: TextChannel = 'subtitle'): Promise<SubtitleCues> {
  const problem = await parseText(content, { type: format, strict: true }).then(
    () => undefined,
    (err: unknown) => (err as Error).message,
  );
  const { cues } = await parseText(content, { type: format });
  const texts: ClipText[] = [];
  for (const cue of cues) {
    const text = cue.text.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
    if (text && cue.endTime > cue.startTime) texts.push({ channel, text, start: cue.startTime, end: cue.endTime });
  }
  if (!texts.length && content.trim()) return { texts, problem: problem ?? `no ${format === 'srt' ? 'SubRip' : 'WebVTT'} cue could be read` };
  return problem ? { texts, problem } : { texts };
}
