import { Command } from 'commander';
import { openStore } from '../open-store.js';
import { formatTimestamp } from '../format.js';
import { storeOption } from '../store-option.js';

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
          const status = v.status === 'complete' ? '' : `  [${v.status}]`;
          process.stdout.write(`${String(v.id).padStart(4)}  ${formatTimestamp(v.durationSec).padStart(8)}  ${String(v.clips).padStart(5)} clips  ${v.path}${status}\n`);
        }
      } finally {
        store.close();
      }
    });
}
