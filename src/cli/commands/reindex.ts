import { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import type { ReindexSummary } from '../../../pipelines/reindex-text.js';
import { displayPath } from '../format.js';
import { storeOption, videoOption } from '../options.js';

interface ReindexFlags {
  store?: string;
  video?: number;
  text?: boolean;
  json: boolean;
}

function describe(summary: ReindexSummary): string {
  const where = `video ${summary.videoId} ${displayPath(summary.path)}`;
  if (summary.upToDate) return `${where}: its text channels are already read; nothing to do`;
  const ocr = summary.ocrFrames > 0 ? `, ${summary.ocrFrames} frames read by OCR in ${summary.ocrSec.toFixed(1)} s` : '';
  return `${where}: ${summary.textLines} text lines added (${summary.wallSec.toFixed(1)} s${ocr})`;
}

/** Video after video; one whose file is gone is reported and the others go on. */
async function reindex(flags: ReindexFlags): Promise<void> {
  if (!flags.text) throw new UserError('say what to add to the stored videos: --text (slides read by OCR, subtitles)', 2);
  const { withApp, runJob } = await import('../app.js');
  const { reindexProgress } = await import('../progress.js');
  const { onInterrupt, interrupted } = await import('../interrupt.js');
  const resume = () => interrupted('interrupted; the text read so far is kept, and the same vidmem reindex --text goes on after it');
  await onInterrupt(resume, () => withApp({ store: flags.store }, 'write', async (app) => {
    const videos = flags.video === undefined ? app.videos() : app.videos().filter((v) => v.id === flags.video);
    if (flags.video !== undefined && videos.length === 0) throw new UserError(`store ${app.storeDir} has no video ${flags.video} (\`vidmem videos\` lists them)`);
    if (videos.length === 0) process.stdout.write('no videos yet\n');
    for (const video of videos) {
      await runJob(app.reindexText(video.id), reindexProgress(!flags.json, video.path), { json: flags.json, path: video.path, describe });
    }
  }, { quiet: flags.json, create: false }));
}

export function reindexCommand(): Command {
  return new Command('reindex')
    .addOption(storeOption())
    .addOption(videoOption())
    .option('--text', "read the text channels that stored videos lack (slides by OCR, subtitles beside or inside the file) and add them to their clips; resumable, memories unchanged")
    .option('--json', 'print one JSON summary per video', false)
    .action(reindex);
}
