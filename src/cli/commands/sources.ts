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

export function sourcesCommand(): Command {
  return new Command('sources')
    .addOption(storeOption())
    .option('--json', 'print {"sources":[…]} with ISO 8601 times', false)
    .action(listSources);
}
