import { Command, Option } from 'commander';
import { DEFAULTS, LIMITS, SAMPLING_MODES, type IngestSettings } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import { formatTimestamp } from '../../core/time-format.js';
import type { IngestSummary } from '../../../pipelines/ingest-file.js';
import type { AppFlags } from '../app.js';
import { addModelOptions, ranged, rangeHelp, storeOption } from '../options.js';

interface IngestFlags extends AppFlags, Omit<IngestSettings, 'tokens'> {
  tokens: number;
  batch: number;
  json: boolean;
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

/** Files one after another into one store; a file that fails is reported and the others go on. */
async function ingest(files: string[], flags: IngestFlags, command: Command): Promise<void> {
  const { withApp, consume } = await import('../app.js');
  const { ingestProgress } = await import('../progress.js');
  const { json, batch, fps, sampling, clipSeconds, sceneCuts, repeatThreshold, tokens, ...appFlags } = flags;
  const given: IngestSettings = { fps, sampling, clipSeconds, sceneCuts, repeatThreshold, tokens };
  // A default is not a request: resuming a video, the settings it was ingested with stand in for it.
  const settings = Object.fromEntries(Object.entries(given).filter(([key]) => command.getOptionValueSource(key) !== 'default')) as Partial<IngestSettings>;
  const { onInterrupt, interrupted } = await import('../interrupt.js');
  const resume = () => interrupted('interrupted; the clips stored so far are kept, and the same vidmem ingest resumes after them');
  await onInterrupt(resume, () => withApp(appFlags, 'write', async (app) => {
    await app.loadModel('ingest');
    for (const file of files) {
      const progress = ingestProgress(!json, file);
      let summary: IngestSummary | undefined;
      try {
        await consume(app.ingest(file, { settings, batch }), (event) => {
          if (event.type === 'progress') progress.update(event);
          else summary = event;
        });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        process.stderr.write(`vidmem: ${err.message}\n`);
        process.exitCode ??= err.exitCode;
        continue;
      } finally {
        progress.stop();
      }
      if (!summary) continue;
      if (json) {
        const { type: _type, ...fields } = summary;
        process.stdout.write(`${JSON.stringify(fields)}\n`);
      } else {
        process.stdout.write(`${describe(summary)}\n`);
      }
    }
  }, { quiet: json }));
}

export function ingestCommand(): Command {
  const d = DEFAULTS.ingest;
  return addModelOptions(new Command('ingest'), `vision-language model: a Hugging Face repo id, a model folder or a built-in name (default: the store's model, else ${DEFAULTS.model}; --model palette works offline)`)
    .argument('<files...>', 'video files to ingest; one that fails is reported and the others go on')
    .addOption(storeOption())
    .option('--fps <n>', `frames sampled per second of video${rangeHelp(LIMITS.fps)}`, ranged('--fps', LIMITS.fps), d.fps)
    .addOption(
      new Option('--sampling <mode>', 'fps: decode every frame and sample at --fps; keyframes: decode keyframes only (much faster); auto: keyframes when they are at least --fps dense')
        .choices(SAMPLING_MODES)
        .default(d.sampling),
    )
    .option('--clip-seconds <n>', `length of a clip, the unit of memory${rangeHelp(LIMITS.clipSeconds)}`, ranged('--clip-seconds', LIMITS.clipSeconds), d.clipSeconds)
    .option('--scene-cuts', 'also end clips at scene changes', d.sceneCuts)
    .option('--tokens <k>', `memory tokens per clip${rangeHelp(LIMITS.tokens)}`, ranged('--tokens', LIMITS.tokens), d.tokens)
    .option('--batch <n>', `frames per encoder call${rangeHelp(LIMITS.batch)}`, ranged('--batch', LIMITS.batch), DEFAULTS.batch)
    .option(
      '--repeat-threshold <percent>',
      `percent of pixels that must change for a frame to be encoded${rangeHelp(LIMITS.repeatThreshold)}; below it the frame counts as static and reuses the last embedding (0 encodes every frame)`,
      ranged('--repeat-threshold', LIMITS.repeatThreshold),
      d.repeatThreshold,
    )
    .option('--json', 'print one JSON summary per file instead of text and progress', false)
    .action(ingest);
}
