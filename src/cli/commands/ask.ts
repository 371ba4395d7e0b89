import { Command } from 'commander';
import { basename } from 'node:path';
import { DEFAULTS, LIMITS } from '../../core/config.js';
import type { Evidence } from '../../core/moments.js';
import { formatMomentRange } from '../../core/time-format.js';
import type { Selection } from '../../../pipelines/answer-question.js';
import { selectionJson } from '../../../pipelines/selection-json.js';
import type { AppFlags } from '../app.js';
import { roundTo, wallClockJson } from '../../core/moment-json.js';
import { addDecoderOptions, addModelOptions, addTimeOptions, ranged, rangeHelp, readTextArgument, STORE_MODEL_HELP, storeOption, timeWindow, videoOption } from '../options.js';

interface AskFlags extends AppFlags {
  video?: number;
  since?: number;
  from?: number;
  to?: number;
  budget: number;
  json: boolean;
  explain: boolean;
}

interface Answered {
  readonly answer: string;
  readonly selection: Selection;
  readonly evidence: readonly Evidence[];
}

/** Streams the answer to stdout as it comes, unless the whole of it is wanted as JSON. */
async function answer(question: string, flags: AskFlags): Promise<Answered> {
  const { withApp, consume } = await import('../app.js');
  const { video, budget, json, explain: _explain, since, from, to, ...appFlags } = flags;
  const within = timeWindow({ since, from, to });
  return withApp(appFlags, 'read', async (app) => {
    let text = '';
    let chosen: Omit<Answered, 'answer'> | undefined;
    await consume(app.ask(question, { videoId: video, budget, ...(within ? { within } : {}) }), (event) => {
      if (event.type === 'selection') {
        chosen = event;
        return;
      }
      text += event.text;
      if (!json) process.stdout.write(event.text);
    });
    return { answer: text, ...chosen! };
  }, { quiet: true });
}

async function ask(argument: string, flags: AskFlags): Promise<void> {
  const { answer: text, selection, evidence } = await answer(await readTextArgument(argument, 'question'), flags);
  if (flags.json) {
    const result = {
      answer: text,
      evidence: evidence.map((e) => ({
        videoId: e.videoId, video: e.videoPath, start: roundTo(e.start), end: roundTo(e.end), ...wallClockJson(e), score: roundTo(e.score, 4), thumbnail: e.thumbnail,
      })),
      selected: selection.selected.length,
      ...(flags.explain ? { explain: selectionJson(selection) } : {}),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (!text.endsWith('\n')) process.stdout.write('\n');
  const moments = `${evidence.length} moment${evidence.length === 1 ? '' : 's'}`;
  process.stdout.write(`\nEvidence (${moments}, ${selection.tokensUsed}/${selection.budget} memory tokens):\n`);
  for (const e of evidence) {
    process.stdout.write(`[${formatMomentRange(e)}] ${basename(e.videoPath)} score ${e.score.toFixed(3)}\n`);
  }
  if (flags.explain) {
    const { explainSelection } = await import('../explain.js');
    process.stdout.write(`\n${explainSelection(selection)}\n`);
  }
}

export function askCommand(): Command {
  return addDecoderOptions(addTimeOptions(addModelOptions(new Command('ask'), STORE_MODEL_HELP)))
    .argument('<question>', 'e.g. "when is there red on the left?" or "what happens in this video?"; - reads it from standard input')
    .addOption(storeOption())
    .addOption(videoOption())
    .option('--budget <tokens>', `memory tokens the answer may draw on${rangeHelp(LIMITS.budget)}`, ranged('--budget', LIMITS.budget), DEFAULTS.budget)
    .option('--json', 'print {"answer":…,"evidence":[…],"selected":N} with times in seconds', false)
    .option('--explain', 'also show every candidate clip, its scores, and why it was kept or not', false)
    .action(ask);
}
