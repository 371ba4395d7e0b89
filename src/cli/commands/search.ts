import { Command } from 'commander';
import { DEFAULTS, LIMITS } from '../../core/config.js';
import { momentJson } from '../../core/moment-json.js';
import type { Moment } from '../../core/moments.js';
import { quote } from '../../core/quote.js';
import { formatMomentRange, formatMomentTime } from '../../core/time-format.js';
import type { AppFlags } from '../app.js';
import { displayPath } from '../format.js';
import { addModelOptions, addTimeOptions, ranged, rangeHelp, readTextArgument, STORE_MODEL_HELP, storeOption, timeWindow, videoOption } from '../options.js';

interface SearchFlags extends AppFlags {
  video?: number;
  since?: number;
  from?: number;
  to?: number;
  top: number;
  json: boolean;
}

export function printMoments(moments: readonly Moment[]): void {
  if (moments.length === 0) {
    process.stdout.write('no moments found\n');
    return;
  }
  moments.forEach((m, i) => {
    const thumb = m.thumbnail ? `  ${displayPath(m.thumbnail)}` : '';
    process.stdout.write(
      `${String(i + 1).padStart(2)}. ${formatMomentRange(m)}  score ${m.score.toFixed(3)}  video ${m.videoId} ${displayPath(m.videoPath)}${thumb}\n`,
    );
    const snippet = m.text[0];
    if (snippet) process.stdout.write(`    [${formatMomentTime(m.startedAt, snippet.start)}] ${snippet.channel}: ${quote(snippet.text, 100)}\n`);
  });
}

async function search(argument: string, flags: SearchFlags): Promise<void> {
  const { withApp } = await import('../app.js');
  const text = await readTextArgument(argument, 'query');
  const { video, top, json, since, from, to, ...appFlags } = flags;
  const within = timeWindow({ since, from, to });
  const moments = await withApp(appFlags, 'read', (app) => app.search(text, { top, videoId: video, ...(within ? { within } : {}) }), { quiet: json });
  if (!json) {
    printMoments(moments);
    return;
  }
  process.stdout.write(`${JSON.stringify({ results: moments.map(momentJson) })}\n`);
}

export function searchCommand(): Command {
  return addTimeOptions(addModelOptions(new Command('search'), STORE_MODEL_HELP))
    .argument('<text>', 'what to look for, e.g. "red on the left"; - reads it from standard input')
    .addOption(storeOption())
    .addOption(videoOption())
    .option('-k, --top <k>', `how many moments${rangeHelp(LIMITS.top)}`, ranged('--top', LIMITS.top), DEFAULTS.top)
    .option('--json', 'print {"results":[…]} with times in seconds', false)
    .action(search);
}
