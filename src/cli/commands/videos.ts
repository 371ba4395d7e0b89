import { Command } from 'commander';
import { formatTimestamp } from '../../core/time-format.js';
import type { VideoListing } from '../../../pipelines/vidmem.js';
import { storeOption } from '../options.js';

/**
 * How far an unfinished video got. An ingest still running and one that was stopped look the same
 * in the store; either way, the same command resumes it.
 */
function unfinished(video: VideoListing): string {
  return video.status === 'ingesting'
    ? `ingesting or interrupted at ${formatTimestamp(video.storedUntil)}; the same vidmem ingest resumes it`
    : `incomplete: the file could be decoded up to ${formatTimestamp(video.storedUntil)}`;
}

async function listVideos(flags: { store?: string; json: boolean }): Promise<void> {
  const { withApp } = await import('../app.js');
  await withApp({ store: flags.store }, 'read', async (app) => {
    const videos = app.videos();
    if (flags.json) {
      const out = videos.map((v) => ({ id: v.id, path: v.path, durationSec: v.durationSec, clips: v.clips, status: v.status }));
      process.stdout.write(`${JSON.stringify({ videos: out })}\n`);
      return;
    }
    const model = app.model();
    if (model) process.stdout.write(`store ${app.storeDir} · model ${model.name} (${model.dim}-d)\n`);
    if (videos.length === 0) process.stdout.write('no videos yet\n');
    for (const v of videos) {
      const status = v.status === 'complete' ? '' : `  [${unfinished(v)}]`;
      process.stdout.write(`${String(v.id).padStart(4)}  ${formatTimestamp(v.durationSec).padStart(8)}  ${String(v.clips).padStart(5)} clips  ${v.path}${status}\n`);
    }
  });
}

export function videosCommand(): Command {
  return new Command('videos')
    .addOption(storeOption())
    .option('--json', 'print {"videos":[…]}', false)
    .action(listVideos);
}
