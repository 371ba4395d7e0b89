import { Command } from 'commander';
import type { VideoStatus } from '../../../storage/memory-store.js';
import { openStore } from '../open-store.js';
import { formatTimestamp } from '../format.js';
import { storeOption } from '../store-option.js';

/**
 * How far an unfinished video got. An ingest still running and one that was stopped look the same
 * in the store; either way, the same command resumes it.
 */
function unfinished(status: VideoStatus, storedUntil: number): string {
  return status === 'ingesting'
    ? `ingesting or interrupted at ${formatTimestamp(storedUntil)}; the same vidmem ingest resumes it`
    : `incomplete: the file could be decoded up to ${formatTimestamp(storedUntil)}`;
}

export function videosCommand(): Command {
  return new Command('videos')
    .description('list the videos in a store')
    .addOption(storeOption())
    .option('--json', 'print {"videos":[…]}', false)
    .action((flags: { store: string; json: boolean }) => {
      const store = openStore(flags.store, { create: false, readonly: true });
      try {
        const videos = store.listVideos();
        if (flags.json) {
          const out = videos.map((v) => ({ id: v.id, path: v.path, durationSec: v.durationSec, clips: v.clips, status: v.status }));
          process.stdout.write(`${JSON.stringify({ videos: out })}\n`);
          return;
        }
        const model = store.model();
        if (model) process.stdout.write(`store ${store.dir} · model ${model.name} (${model.dim}-d)\n`);
        if (videos.length === 0) process.stdout.write('no videos yet\n');
        for (const v of videos) {
          const status = v.status === 'complete' ? '' : `  [${unfinished(v.status, store.lastClip(v.id)?.end ?? 0)}]`;
          process.stdout.write(`${String(v.id).padStart(4)}  ${formatTimestamp(v.durationSec).padStart(8)}  ${String(v.clips).padStart(5)} clips  ${v.path}${status}\n`);
        }
      } finally {
        store.close();
      }
    });
}
