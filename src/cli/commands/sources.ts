import { Command } from 'commander';
import { formatWallClock, isoWallClock } from '../../core/time-format.js';
import { storeOption } from '../options.js';

async function listSources(flags: { store?: string; json: boolean }): Promise<void> {
  const { withApp } = await import('../app.js');
  await withApp({ store: flags.store }, 'read', async (app) => {
    const sources = app.sources();
    if (flags.json) {
      const iso = (t: number | null) => (t === null ? null : isoWallClock(t));
      const out = sources.map((s) => ({ ...s, from: iso(s.from), until: iso(s.until), gaps: s.gaps.map((g) => ({ ...g, start: isoWallClock(g.start), end: iso(g.end) })) }));
      process.stdout.write(`${JSON.stringify({ sources: out })}\n`);
      return;
    }
    if (sources.length === 0) process.stdout.write('no live sources yet (vidmem watch URL adds one)\n');
    for (const s of sources) {
      const span = s.from === null || s.until === null ? 'no clips yet' : `${formatWallClock(s.from)} – ${formatWallClock(s.until)}`;
      process.stdout.write(`${s.name}  ${s.url}\n    ${span}, ${s.clips} clips in ${s.segments} segments, ${s.gaps.length} gaps\n`);
      for (const g of s.gaps) process.stdout.write(`    gap ${formatWallClock(g.start)} – ${g.end === null ? 'still away' : formatWallClock(g.end)}: ${g.reason}\n`);
    }
  });
}

/** Each source removed is a line; one that is not there is a line on stderr and a failed exit, and the others are still removed. */
async function removeSources(names: string[], flags: { store?: string }): Promise<void> {
  const [{ withApp }, { UserError }] = await Promise.all([import('../app.js'), import('../../core/errors.js')]);
  await withApp({ store: flags.store }, 'write', async (app) => {
    for (const name of names) {
      try {
        const { clips } = app.deleteSource(name);
        process.stdout.write(`removed source ${name}: ${clips} clips with their memories and keyframes, its gaps and its recordings\n`);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        process.stderr.write(`vidmem: ${err.message}\n`);
        process.exitCode = err.exitCode;
      }
    }
  }, { create: false });
}

export function sourcesCommand(): Command {
  const sources = new Command('sources')
    .description('list the live sources in a store: the time they cover, their segments and gaps')
    .addOption(storeOption())
    .option('--json', 'print {"sources":[…]} with ISO 8601 times', false)
    .action(listSources);
  sources
    .command('rm')
    .description('remove live sources with everything of them: segments, clips, memories, keyframes, gaps and recordings (stop watching them first)')
    .argument('<name...>', 'source names, as `vidmem sources` lists them')
    .addOption(storeOption())
    // `sources` takes --store too, and commander gives it to whichever command defines it first.
    .action((names: string[], _flags: unknown, command: Command) => removeSources(names, command.optsWithGlobals()));
  return sources;
}
