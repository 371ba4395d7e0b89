/**
 * Options several commands share, spelled and defaulted the same way everywhere. This module is
 * loaded for every command, `--help` included, so it imports nothing heavy.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS, DEVICES, DTYPES, describeRange, inRange, LIMITS, type Range } from '../core/config.js';
import { UserError } from '../core/errors.js';
import { formatDuration } from '../core/time-format.js';

/** A commander parser for a numeric option, with the rule it breaks in its error. */
function numberParser(name: string, accepts: (n: number) => boolean, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !accepts(n)) throw new InvalidArgumentError(`${name} must be ${what}, got '${value}'`);
    return n;
  };
}

export const positiveInteger = (name: string) => numberParser(name, (n) => Number.isSafeInteger(n) && n > 0, 'a positive whole number');

/** A numeric option within its range (see LIMITS), which its help names too. */
export const ranged = (name: string, range: Range) => numberParser(name, (n) => inRange(n, range), describeRange(range));

/** " (0.01–30)", for an option's help. */
export const rangeHelp = (range: Range): string => ` (${range.min}–${range.max})`;

/** Every command that reads or writes memories takes the same --store; unset, the configuration decides. */
export function storeOption(): Option {
  return new Option('-s, --store <dir>', `store directory (SQLite database, index, thumbnails) (default: $VIDMEM_STORE, else ${DEFAULTS.store})`);
}

/** `--detect-fps N`: how often the detector looks, for ingest and watch alike. */
export function detectFpsOption(): Option {
  return new Option(
    '--detect-fps <n>',
    `frames a second the object detector looks at where the picture moved, at most the frames sampled${rangeHelp(LIMITS.detectFps)} (default: one frame a clip); an object rule counts the frame that shows the most`,
  ).argParser(ranged('--detect-fps', LIMITS.detectFps));
}

/** `--zone NAME=x1,y1,…`, repeatable: the values as given, checked by parseZones (src/core/zones.ts) before the work starts. */
export function zoneOption(): Option {
  return new Option(
    '--zone <name=x,y,…>',
    'a named zone of the picture: a polygon of at least 3 corners, each x,y a fraction 0..1 of its width and height from the top left (e.g. lawn=0,0.5,1,0.5,1,1,0,1); detections are told the zones their box\'s bottom-centre stands in, for `vidmem alerts add --zone`; may be repeated',
  )
    .argParser((value: string, previous: string[] = []) => [...previous, value])
    .default([], 'none');
}

/** Commands that read memories can keep to one video, named by the id `vidmem videos` shows. */
export function videoOption(): Option {
  return new Option('--video <id>', 'only this video (see `vidmem videos`)').argParser(positiveInteger('--video'));
}

/** --model's help for commands that read a store: they use the store's own model. */
export const STORE_MODEL_HELP = 'must match the model the store was built with (default: that model)';

/** The options of every command that runs an encoder (ingest, search, ask). */
export function addModelOptions(command: Command, modelHelp: string): Command {
  return command
    .option('-m, --model <name>', modelHelp)
    .addOption(
      new Option('--dtype <dtype>', "precision of the model's ONNX files, where the repo has them; q8 is int8 (default: the store's, else fp32)").choices(DTYPES),
    )
    .addOption(
      new Option('--device <device>', `where the encoder runs: cpu, cuda, webgpu, or auto (the first GPU provider that works, else cpu) (default: $VIDMEM_DEVICE, else ${DEFAULTS.device})`).choices(DEVICES),
    )
    .option('--threads <n>', `encoder threads${rangeHelp(LIMITS.threads)} (default: onnxruntime decides)`, ranged('--threads', LIMITS.threads))
    .option('--offline', 'never use the network: fail and list the model files that are missing (also VIDMEM_OFFLINE=1 or HF_HUB_OFFLINE=1)', false);
}

/** The options of every command that answers questions (ask, chat, serve, mcp): which decoder, and whether it sees keyframes. */
export function addDecoderOptions(command: Command): Command {
  return command
    .option('--llm <url>', 'answer with an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (default: $VIDMEM_LLM_URL, model from $VIDMEM_LLM_MODEL; without either, the built-in answerer)')
    .option('--no-images', 'send the LLM no keyframes (for text-only models)');
}

/**
 * Longest question taken on the command line. onnxruntime 1.30 crashes (signal 11, deep in its
 * own code) creating a session in a process one of whose arguments is about 30,000 characters
 * long, so a longer question is refused, with the way round: standard input. Checked here, not
 * in commander, whose error would echo the whole argument.
 */
const MAX_ARGUMENT_CHARS = 16_384;

/** A question or query argument's text; `-` reads it from standard input. */
export async function readTextArgument(value: string, what: string): Promise<string> {
  if (value.length > MAX_ARGUMENT_CHARS) {
    throw new UserError(
      `the ${what} is ${value.length.toLocaleString('en-US')} characters long, more than the ${MAX_ARGUMENT_CHARS.toLocaleString('en-US')} a command line may carry here; give - instead and pass it on standard input`,
      2,
    );
  }
  if (value !== '-') return value;
  let text = '';
  for await (const chunk of process.stdin.setEncoding('utf8')) text += chunk as string;
  return text;
}

const SINCE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i;
const SINCE_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** A duration such as --since 10m or --retain 7d, in seconds. */
export function parseDuration(value: string): number {
  const match = SINCE.exec(value.trim());
  if (!match) throw new InvalidArgumentError('give a duration such as 90s, 10m, 2h, 1d or 1w');
  return Number(match[1]) * SINCE_SECONDS[match[2]!.toLowerCase()]!;
}

/** A duration within a range of seconds, e.g. --retain-memories 90d. */
export function rangedDuration(name: string, range: Range) {
  return (value: string): number => {
    const seconds = parseDuration(value);
    if (!inRange(seconds, range)) throw new InvalidArgumentError(`${name} must be from ${formatDuration(range.min)} to ${formatDuration(range.max)}, got '${value}'`);
    return seconds;
  };
}

/** A value of a `watch` option given for every source, or with NAME= for the source of that name. */
export interface Scoped<T> {
  readonly source?: string;
  readonly value: T;
}

/** A repeatable option whose values are VALUE (every source) or NAME=VALUE (one), e.g. --retain 7d --retain door=30d. */
export function scoped<T>(parse: (value: string) => T) {
  return (spec: string, previous: readonly Scoped<T>[] = []): Scoped<T>[] => {
    const at = spec.indexOf('=');
    return [...previous, at < 0 ? { value: parse(spec) } : { source: spec.slice(0, at), value: parse(spec.slice(at + 1)) }];
  };
}

/** --from / --to: "2026-12-01 14:03[:05]" or an ISO 8601 time, local unless it says its zone; "14:03" is today. */
export function parseClockTime(value: string): number {
  const text = /^\d{1,2}:\d{2}(:\d{2})?$/.test(value.trim()) ? `${new Date().toDateString()} ${value.trim()}` : value.trim();
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('give a time such as "2026-12-01 14:03", 2026-12-01T14:03:05Z or 14:03 (today)');
  return ms / 1000;
}

export { timeWindow } from '../core/moments.js';

/** The time options of commands that ask about live sources. */
export function addTimeOptions(command: Command): Command {
  return command
    .option('--since <duration>', 'only live sources\' moments of the last 90s, 10m, 2h, 1d …', parseDuration)
    .option('--from <time>', 'only live sources\' moments from this time ("2026-12-01 14:03", ISO 8601, or 14:03 for today)', parseClockTime)
    .option('--to <time>', 'only live sources\' moments up to this time (default: now)', parseClockTime);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?$/i;
const SIZE_BYTES: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };

/** --max-storage 20GB: decimal units, as disks are sold. */
export function parseSize(value: string): number {
  const match = SIZE.exec(value.trim());
  if (!match || Number(match[1]) <= 0) throw new InvalidArgumentError('give a size such as 500MB, 20GB or 1.5TB');
  return Number(match[1]) * SIZE_BYTES[(match[2] ?? 'b').toLowerCase()]!;
}
