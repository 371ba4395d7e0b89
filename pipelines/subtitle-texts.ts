import type { ClipText } from '../src/core/clip-text.js';
import { UserError } from '../src/core/errors.js';
import type { Binary } from '../src/sources/ffmpeg-binaries.js';
import { embeddedSubtitles, findSidecar, readSubtitleFile, type SubtitleSource } from '../src/sources/subtitle-sources.js';
import { parseSubtitles } from '../src/text/subtitle-cues.js';

/** Where a video's subtitles come from: found by themselves, a file the user names, or none. */
export type SubtitleChoice = 'auto' | 'off' | { readonly file: string };

/**
 * The subtitle cues of a video as subtitle-channel text. `auto` takes the file beside the video
 * (`talk.srt`, `talk.en.vtt`), else the container's own subtitle stream. Subtitles that cannot be
 * read are reported through `onNotice` and the video is ingested without them; only a file the
 * user named that cannot even be opened stops the ingest, since that is a mistake on the command.
 */
export async function subtitleTexts(videoPath: string, choice: SubtitleChoice, ffmpeg: Binary, onNotice: (message: string) => void): Promise<ClipText[]> {
  if (choice === 'off') return [];
  let source: SubtitleSource | undefined;
  try {
    if (typeof choice === 'object') source = await readSubtitleFile(choice.file);
    else {
      const sidecar = await findSidecar(videoPath);
      source = sidecar ? await readSubtitleFile(sidecar) : await embeddedSubtitles(videoPath, ffmpeg);
    }
  } catch (err) {
    if (typeof choice === 'object' || !(err instanceof UserError)) throw err;
    onNotice(`${err.message}; ingesting without subtitles`);
    return [];
  }
  if (!source) return [];
  const { texts, problem } = await parseSubtitles(source.content, source.format);
  if (problem) onNotice(`${source.origin}: ${problem}; ${texts.length ? `kept the ${texts.length} cues that could be read` : 'ingesting without subtitles'}`);
  return texts;
}
