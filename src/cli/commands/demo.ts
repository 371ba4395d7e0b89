import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_INGEST } from '../../../pipelines/ingest-file.js';
import { renderSegments, type Segment } from '../../media/synthetic-video.js';
import { DEFAULT_TOKEN_MERGE } from '../../memory/token-merge-distiller.js';
import { displayPath, formatRange } from '../format.js';
import { runIngest } from './ingest.js';
import { printMoments, searchStore } from './search.js';

/** 42 seconds of coloured scenes with a small moving square, so every answer is known in advance. */
const DEMO_SEGMENTS: readonly Segment[] = [
  { seconds: 6, layout: { full: 'red' } },
  { seconds: 6, layout: { left: 'blue', right: 'yellow' } },
  { seconds: 6, layout: { full: 'green' } },
  { seconds: 6, layout: { top: 'white', bottom: 'black' } },
  { seconds: 6, layout: { left: 'red', right: 'cyan' } },
  { seconds: 6, layout: { full: 'magenta' } },
  { seconds: 6, layout: { top: 'black', bottom: 'yellow' } },
];

const DEMO_QUERIES = ['red', 'blue on the left', 'white at the top', 'When is there red on the left?', 'yellow at the bottom'];

function describeLayout(segment: Segment): string {
  const l = segment.layout;
  if ('full' in l) return l.full;
  if ('left' in l) return `${l.left} left, ${l.right} right`;
  return `${l.top} top, ${l.bottom} bottom`;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('offline demo: generate a sample video, ingest it with the built-in palette model, run a few searches')
    .option('--dir <dir>', 'where the sample video and its store go', 'vidmem-demo')
    .action(async (flags: { dir: string }) => {
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
      if (!existsSync(video)) await renderSegments(video, DEMO_SEGMENTS, { motion: true });
      const [summary] = await runIngest([video], {
        store,
        model: 'palette',
        settings: DEFAULT_INGEST,
        tokens: DEFAULT_TOKEN_MERGE.tokens,
        batch: 16,
        showProgress: true,
      });
      process.stdout.write(
        `\nIngested into ${displayPath(store)}: ${summary.clips} clips, ${summary.framesEncoded} frames encoded` +
          `${summary.alreadyIngested ? ' (already there from an earlier run)' : ` in ${summary.wallSec.toFixed(2)} s`}\n`,
      );
      for (const query of DEMO_QUERIES) {
        process.stdout.write(`\nvidmem search "${query}" --store ${displayPath(store)} --top 3\n`);
        printMoments(await searchStore(store, query, { top: 3 }));
      }
      process.stdout.write(
        `\nNext: vidmem ask "When is there red on the left?" --store ${displayPath(store)}` +
          ` · vidmem chat --store ${displayPath(store)} · vidmem ingest <your video> --model palette --store <dir>\n`,
      );
    });
}
