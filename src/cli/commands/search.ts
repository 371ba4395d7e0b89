import { Command } from 'commander';
import { openStore } from '../open-store.js';
import { findMoments, type FoundMoment } from '../../search/find-moments.js';
import { displayPath, formatRange, roundTo } from '../format.js';
import { addModelOptions, STORE_MODEL_HELP } from '../model-options.js';
import { chooseModel, loadTextEncoder, type ModelChoice } from '../open-model.js';
import { positiveInteger, storeOption, videoOption } from '../store-option.js';

interface SearchFlags extends ModelChoice {
  store: string;
  video?: number;
  top: number;
  json: boolean;
}

/** Text query → moments, with the model the store was built with. Shared by `search` and `demo`. */
export async function searchStore(storeDir: string, query: string, options: { top: number; videoId?: number } & ModelChoice): Promise<FoundMoment[]> {
  const store = openStore(storeDir, { create: false, readonly: true });
  try {
    const model = await chooseModel(store, options);
    const text = await loadTextEncoder(model, options);
    try {
      store.bindModel(text.identity);
      return await findMoments(store, text, query, { top: options.top, videoId: options.videoId });
    } finally {
      await text.dispose();
    }
  } finally {
    store.close();
  }
}

export function printMoments(moments: readonly FoundMoment[]): void {
  if (moments.length === 0) {
    process.stdout.write('no moments found\n');
    return;
  }
  moments.forEach((m, i) => {
    const thumb = m.thumbnail ? `  ${displayPath(m.thumbnail)}` : '';
    process.stdout.write(
      `${String(i + 1).padStart(2)}. ${formatRange(m.start, m.end)}  score ${m.score.toFixed(3)}  video ${m.videoId} ${displayPath(m.videoPath)}${thumb}\n`,
    );
  });
}

export function searchCommand(): Command {
  return addModelOptions(new Command('search'), STORE_MODEL_HELP)
    .description('find the moments that match a text query')
    .argument('<text>', 'what to look for, e.g. "red on the left"')
    .addOption(storeOption())
    .addOption(videoOption())
    .option('-k, --top <k>', 'how many moments', positiveInteger('--top'), 5)
    .option('--json', 'print {"results":[…]} with times in seconds', false)
    .action(async (text: string, flags: SearchFlags) => {
      const moments = await searchStore(flags.store, text, { ...flags, top: flags.top, videoId: flags.video, quiet: flags.json });
      if (flags.json) {
        const results = moments.map((m) => ({
          videoId: m.videoId, path: m.videoPath, start: roundTo(m.start), end: roundTo(m.end), score: roundTo(m.score, 4), thumbnail: m.thumbnail,
        }));
        process.stdout.write(`${JSON.stringify({ results })}\n`);
      } else {
        printMoments(moments);
      }
    });
}
