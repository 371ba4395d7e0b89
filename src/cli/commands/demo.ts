import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatRange } from '../../core/time-format.js';
import type { IngestSummary } from '../../../pipelines/ingest-file.js';
import { displayPath } from '../format.js';
import { printMoments } from './search.js';

async function demo(flags: { dir: string }): Promise<void> {
  const [{ withApp, consume, cliConfig }, { DEMO_QUERIES, DEMO_SEGMENTS, describeLayout, renderSampleVideo }] = await Promise.all([
    import('../app.js'),
    import('../../../pipelines/demo.js'),
  ]);
  const dir = resolve(flags.dir);
  await mkdir(dir, { recursive: true });
  const video = join(dir, 'sample.mp4');
  const store = join(dir, 'store');
  let t = 0;
  process.stdout.write(`Sample video ${displayPath(video)}:\n`);
  for (const segment of DEMO_SEGMENTS) {
    process.stdout.write(`  ${formatRange(t, t + segment.seconds)}  ${describeLayout(segment)}\n`);
    t += segment.seconds;
  }
  if (!existsSync(video)) await renderSampleVideo(video, DEMO_SEGMENTS, cliConfig(), { motion: true });
  const { ingestProgress } = await import('../progress.js');
  await withApp({ store, model: 'palette' }, 'write', async (app) => {
    const progress = ingestProgress(true, video);
    let summary: IngestSummary | undefined;
    try {
      await consume(app.ingest(video), (event) => {
        if (event.type === 'progress') progress.update(event);
        else if (event.type === 'done') summary = event;
      });
    } finally {
      progress.stop();
    }
    process.stdout.write(
      `\nIngested into ${displayPath(store)}: ${summary!.clips} clips, ${summary!.framesEncoded} frames encoded` +
        `${summary!.alreadyIngested ? ' (already there from an earlier run)' : ` in ${summary!.wallSec.toFixed(2)} s`}\n`,
    );
    for (const query of DEMO_QUERIES) {
      process.stdout.write(`\nvidmem search "${query}" --store ${displayPath(store)} --top 3\n`);
      printMoments(await app.search(query, { top: 3 }));
    }
  });
  process.stdout.write(
    `\nNext: vidmem ask "When is there red on the left?" --store ${displayPath(store)}` +
      ` · vidmem chat --store ${displayPath(store)} · vidmem ingest <your video> --model palette --store <dir>\n`,
  );
}

export function demoCommand(): Command {
  return new Command('demo')
    .option('--dir <dir>', 'where the sample video and its store go', 'vidmem-demo')
    .action(demo);
}
