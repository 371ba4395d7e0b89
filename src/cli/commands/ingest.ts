import { Command, Option } from 'commander';
import { lastValueFrom, tap } from 'rxjs';
import { DEFAULT_INGEST, ingestFile, type IngestSettings, type IngestSummary, type SamplingMode } from '../../../pipelines/ingest-file.js';
import { openStore } from '../open-store.js';
import { TokenMergeDistiller, DEFAULT_TOKEN_MERGE } from '../../memory/token-merge-distiller.js';
import { formatTimestamp } from '../format.js';
import { addModelOptions } from '../model-options.js';
import { chooseModel, DEFAULT_MODEL, loadVisionEncoder, type ModelChoice } from '../open-model.js';
import { ingestProgress } from '../progress.js';
import { UserError } from '../../errors.js';
import { nonNegativeNumber, positiveInteger, positiveNumber, storeOption } from '../store-option.js';

interface IngestFlags extends ModelChoice {
  store: string;
  fps: number;
  sampling: SamplingMode;
  clipSeconds: number;
  sceneCuts: boolean;
  tokens: number;
  batch: number;
  repeatThreshold: number;
  json: boolean;
}

export interface IngestRun extends ModelChoice {
  readonly store: string;
  readonly settings: IngestSettings;
  readonly tokens: number;
  /** Carry each clip's memory into the next (default); false only for ablations. */
  readonly propagate?: boolean;
  readonly batch: number;
  readonly showProgress: boolean;
  /** A file that fails with a user-facing error is reported here and the rest go on; without it, the run stops. */
  readonly onFailure?: (error: UserError) => void;
}

/** Ingests files one after another into one store; shared by `ingest` and `demo`. */
export async function runIngest(files: readonly string[], run: IngestRun): Promise<IngestSummary[]> {
  const store = openStore(run.store);
  try {
    const model = await chooseModel(store, { ...run, quiet: !run.showProgress });
    const encoder = await loadVisionEncoder(model, run);
    const distiller = new TokenMergeDistiller({ ...DEFAULT_TOKEN_MERGE, tokens: run.tokens, propagate: run.propagate ?? true });
    const summaries: IngestSummary[] = [];
    try {
      for (const file of files) {
        const progress = ingestProgress(run.showProgress, file);
        try {
          const events$ = ingestFile(file, { store, encoder, distiller, batchSize: run.batch }, run.settings).pipe(
            tap((event) => event.type === 'progress' && progress.update(event)),
          );
          summaries.push((await lastValueFrom(events$)) as IngestSummary);
        } catch (err) {
          if (!(err instanceof UserError) || !run.onFailure) throw err;
          run.onFailure(err);
        } finally {
          progress.stop();
        }
      }
    } finally {
      await encoder.dispose();
    }
    return summaries;
  } finally {
    store.close();
  }
}

function describe(summary: IngestSummary): string {
  if (summary.alreadyIngested) {
    return `${summary.path}: already in the store as video ${summary.videoId} (${summary.clips} clips); nothing to do`;
  }
  const speed = summary.wallSec > 0 ? (summary.durationSec - summary.resumedAt) / summary.wallSec : 0;
  const resumed = summary.resumedAt > 0 ? `, resumed at ${formatTimestamp(summary.resumedAt)}` : '';
  return (
    `${summary.path}: video ${summary.videoId}, ${formatTimestamp(summary.durationSec)} in ${summary.clips} clips` +
    ` (${summary.framesDecoded} frames decoded, ${summary.framesEncoded} encoded, ${summary.framesSkipped} skipped as static;` +
    ` ${summary.wallSec.toFixed(1)} s, ${speed.toFixed(1)}× real time, ${summary.sampling} sampling${resumed})`
  );
}

export function ingestCommand(): Command {
  return addModelOptions(new Command('ingest'), `vision-language model: a Hugging Face repo id, a model folder or a built-in name (default: the store's model, else ${DEFAULT_MODEL}; --model palette works offline)`)
    .description('watch video files clip by clip and store their memories')
    .argument('<files...>', 'video files to ingest; one that fails is reported and the others go on')
    .addOption(storeOption())
    .option('--fps <n>', 'frames sampled per second of video', positiveNumber('--fps'), DEFAULT_INGEST.fps)
    .addOption(
      new Option('--sampling <mode>', 'fps: decode every frame and sample at --fps; keyframes: decode keyframes only (much faster); auto: keyframes when they are at least --fps dense')
        .choices(['auto', 'fps', 'keyframes'])
        .default(DEFAULT_INGEST.sampling),
    )
    .option('--clip-seconds <n>', 'length of a clip, the unit of memory', positiveNumber('--clip-seconds'), DEFAULT_INGEST.clipSeconds)
    .option('--scene-cuts', 'also end clips at scene changes', false)
    .option('--tokens <k>', 'memory tokens per clip', positiveInteger('--tokens'), DEFAULT_TOKEN_MERGE.tokens)
    .option('--batch <n>', 'frames per encoder call', positiveInteger('--batch'), 16)
    .option('--repeat-threshold <percent>', 'percent of pixels that must change for a frame to be encoded; below it the frame counts as static and reuses the last embedding (0 encodes every frame)', nonNegativeNumber('--repeat-threshold'), DEFAULT_INGEST.repeatThreshold)
    .option('--json', 'print one JSON summary per file instead of text and progress', false)
    .action(async (files: string[], flags: IngestFlags) => {
      const summaries = await runIngest(files, {
        store: flags.store,
        model: flags.model,
        dtype: flags.dtype,
        device: flags.device,
        offline: flags.offline,
        settings: {
          fps: flags.fps,
          sampling: flags.sampling,
          clipSeconds: flags.clipSeconds,
          sceneCuts: flags.sceneCuts,
          repeatThreshold: flags.repeatThreshold,
        },
        tokens: flags.tokens,
        batch: flags.batch,
        threads: flags.threads,
        showProgress: !flags.json,
        onFailure: (error) => {
          process.stderr.write(`vidmem: ${error.message}\n`);
          process.exitCode ??= error.exitCode;
        },
      });
      for (const summary of summaries) {
        if (flags.json) {
          const { type: _type, ...fields } = summary;
          process.stdout.write(`${JSON.stringify(fields)}\n`);
        } else {
          process.stdout.write(`${describe(summary)}\n`);
        }
      }
    });
}
