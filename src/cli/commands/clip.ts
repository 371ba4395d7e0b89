import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { LIMITS } from '../../core/config.js';
import { formatWallClock } from '../../core/time-format.js';
import { parseClockTime, ranged, rangeHelp, storeOption } from '../options.js';

interface ClipFlags {
  store?: string;
  at: number;
  seconds: number;
  output: string;
}

async function clip(source: string, flags: ClipFlags): Promise<void> {
  const { withApp } = await import('../app.js');
  const output = resolve(flags.output);
  await withApp({ store: flags.store }, 'read', async (app) => {
    const files = await app.cutRecording(source, flags.at, flags.seconds, output);
    process.stdout.write(`${output}: ${flags.seconds} s of ${source} from ${formatWallClock(flags.at)} (cut from ${files} recorded file${files === 1 ? '' : 's'})\n`);
  }, { create: false });
}

export function clipCommand(): Command {
  return new Command('clip')
    .argument('<source>', 'the live source, by the name `vidmem sources` lists')
    .addOption(storeOption())
    .addOption(new Option('--at <time>', 'where the snippet starts: "2026-12-01 14:03:05", ISO 8601, or 14:03 for today').argParser(parseClockTime).makeOptionMandatory())
    .option('--seconds <n>', `how long it is${rangeHelp(LIMITS.cutSeconds)}`, ranged('--seconds', LIMITS.cutSeconds), 10)
    .requiredOption('-o, --output <file>', 'the MP4 to write')
    .addHelpText('after', '\nCopied out of what `vidmem watch` recorded, without re-encoding: it starts at the keyframe at or just before --at.')
    .action(clip);
}
