import { Command } from 'commander';
import { basename } from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import { answerQuestion } from '../../../pipelines/answer-question.js';
import { openStore } from '../open-store.js';
import type { Evidence } from '../../decoders/decoder.js';
import { chooseDecoder } from '../../decoders/choose-decoder.js';
import { explainSelection } from '../../selection/explain.js';
import { DEFAULT_SELECT } from '../../selection/select-memories.js';
import type { Selection } from '../../selection/selection.js';
import { formatRange, roundTo } from '../format.js';
import { addModelOptions, STORE_MODEL_HELP } from '../model-options.js';
import { chooseModel, loadTextEncoder, type ModelChoice } from '../open-model.js';
import { positiveInteger, storeOption, videoOption } from '../store-option.js';

interface AskFlags extends ModelChoice {
  store: string;
  video?: number;
  budget: number;
  llm?: string;
  images: boolean;
  json: boolean;
  explain: boolean;
}

interface Answered {
  readonly answer: string;
  readonly selection: Selection;
  readonly evidence: readonly Evidence[];
}

function explainJson(selection: Selection): object {
  return {
    kind: selection.kind,
    indexHits: selection.indexHits,
    tokensUsed: selection.tokensUsed,
    budget: selection.budget,
    decisions: selection.decisions.map(({ candidate: c, verdict, reason }) => ({
      clipId: c.clipId, videoId: c.videoId, index: c.index, start: roundTo(c.start), end: roundTo(c.end),
      focusStart: roundTo(c.focusStart), focusEnd: roundTo(c.focusEnd), indicator: roundTo(c.indicatorScore, 4),
      memory: roundTo(c.memoryScore, 4), combined: roundTo(c.score, 4), tokens: c.tokens.length, via: c.via, verdict, reason,
    })),
  };
}

/** Streams the answer to stdout as it comes, unless the whole of it is wanted as JSON. */
async function ask(question: string, flags: AskFlags): Promise<Answered> {
  const store = openStore(flags.store, { create: false, readonly: true });
  try {
    const model = await chooseModel(store, { ...flags, quiet: true });
    const text = await loadTextEncoder(model, flags);
    try {
      store.bindModel(text.identity);
      const decoder = chooseDecoder({ llm: flags.llm, images: flags.images });
      let answer = '';
      let chosen: Omit<Answered, 'answer'> | undefined;
      const events$ = answerQuestion(question, { store, text, decoder }, { videoId: flags.video, budget: flags.budget }).pipe(
        tap((event) => {
          if (event.type === 'selection') {
            chosen = event;
            return;
          }
          answer += event.text;
          if (!flags.json) process.stdout.write(event.text);
        }),
      );
      await lastValueFrom(events$, { defaultValue: undefined });
      return { answer, ...chosen! };
    } finally {
      await text.dispose();
    }
  } finally {
    store.close();
  }
}

export function askCommand(): Command {
  return addModelOptions(new Command('ask'), STORE_MODEL_HELP)
    .description('answer a question from the stored memories, with the moments it rests on')
    .argument('<question>', 'e.g. "when is there red on the left?" or "what happens in this video?"')
    .addOption(storeOption())
    .addOption(videoOption())
    .option('--budget <tokens>', 'memory tokens the answer may draw on', positiveInteger('--budget'), DEFAULT_SELECT.budget)
    .option('--llm <url>', 'answer with an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (default: $VIDMEM_LLM_URL; model from $VIDMEM_LLM_MODEL)')
    .option('--no-images', 'send no keyframes to the LLM (text-only models)')
    .option('--json', 'print {"answer":…,"evidence":[…],"selected":N} with times in seconds', false)
    .option('--explain', 'also show every candidate clip, its scores, and why it was kept or not', false)
    .action(async (question: string, flags: AskFlags) => {
      const { answer, selection, evidence } = await ask(question, flags);
      if (flags.json) {
        const result = {
          answer,
          evidence: evidence.map((e) => ({
            videoId: e.videoId, video: e.videoPath, start: roundTo(e.start), end: roundTo(e.end), score: roundTo(e.score, 4), thumbnail: e.thumbnail,
          })),
          selected: selection.selected.length,
          ...(flags.explain ? { explain: explainJson(selection) } : {}),
        };
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      if (!answer.endsWith('\n')) process.stdout.write('\n');
      const moments = `${evidence.length} moment${evidence.length === 1 ? '' : 's'}`;
      process.stdout.write(`\nEvidence (${moments}, ${selection.tokensUsed}/${selection.budget} memory tokens):\n`);
      for (const e of evidence) {
        process.stdout.write(`[${formatRange(e.start, e.end)}] ${basename(e.videoPath)} score ${e.score.toFixed(3)}\n`);
      }
      if (flags.explain) process.stdout.write(`\n${explainSelection(selection)}\n`);
    });
}
