/**
 * vidmem's configuration: every environment variable it reads and every default a user can
 * change, read and validated here once. The blocks receive values; none of them reads
 * `process.env`. A bad value is one error that names the variable and what was wrong with it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from './errors.js';

export const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
export type Device = (typeof DEVICES)[number];

/** Precisions of a model's ONNX files, in transformers.js' naming (see models/model-files.ts). */
export const DTYPES = ['fp32', 'fp16', 'q8', 'q4'] as const;
export type Dtype = (typeof DTYPES)[number];

export const SAMPLING_MODES = ['auto', 'fps', 'keyframes'] as const;
export type SamplingMode = (typeof SAMPLING_MODES)[number];

/** How a file is cut into clips and distilled; stored with each video so that a resume matches. */
export interface IngestSettings {
  /** Frames sampled per second of video. */
  readonly fps: number;
  /** `auto` decodes keyframes only when they are at least as dense as `fps` (far faster). */
  readonly sampling: SamplingMode;
  readonly clipSeconds: number;
  readonly sceneCuts: boolean;
  /** Percentage of changed pixels under which a frame counts as a repeat of the last encoded one. */
  readonly repeatThreshold: number;
  /** Memory tokens per clip (K). */
  readonly tokens: number;
}

/** The defaults of every option a user can set, in one place (the CLI's --help shows them). */
export const DEFAULTS = {
  store: 'vidmem-store',
  /** What a new store is built with: a real CLIP, downloaded once into the cache. */
  model: 'Xenova/clip-vit-base-patch32',
  ingest: { fps: 1, sampling: 'auto', clipSeconds: 4, sceneCuts: false, repeatThreshold: 0.5, tokens: 8 } satisfies IngestSettings,
  /** Frames per encoder call. */
  batch: 16,
  /** Memory tokens an answer may draw on (the paper's 256: 32 clips of 8 tokens). */
  budget: 256,
  /** Moments `search` lists. */
  top: 5,
  device: 'cpu' satisfies Device,
  dtype: 'fp32' satisfies Dtype,
  hubEndpoint: 'https://huggingface.co',
  npmRegistry: 'https://registry.npmjs.org/',
  llmTimeoutSec: 120,
  /** Long enough for a slow local model's long answer, short enough that a stuck one ends. */
  llmDeadlineSec: 300,
  /** Seconds without a frame after which a live source counts as stalled and is tried again. */
  stallTimeoutSec: 20,
  /** Standing questions: a text rule fires at 4 robust sigmas over its source's usual; an appearance within 30 s of the last is the same event. */
  alerts: { sigma: 4, cooldownSec: 30, minCount: 1, minSeconds: 0 },
  /** Where `vidmem serve` listens: this machine only, unless told otherwise (and then with a token). */
  serve: { host: '127.0.0.1', port: 8765 },
} as const;

/** A setting's sensible range, and whether it takes whole numbers only. */
export interface Range {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

/**
 * The range of every numeric setting: past these, a setting is a mistake, not a choice (a million
 * frames a second of an 8-second clip ran for ten minutes making nothing).
 */
export const LIMITS = {
  fps: { min: 0.01, max: 30 },
  clipSeconds: { min: 0.5, max: 600 },
  repeatThreshold: { min: 0, max: 100 },
  tokens: { min: 1, max: 64, integer: true },
  batch: { min: 1, max: 256, integer: true },
  threads: { min: 1, max: 256, integer: true },
  top: { min: 1, max: 1000, integer: true },
  budget: { min: 1, max: 16_384, integer: true },
  /** Seconds an LLM may be silent (VIDMEM_LLM_TIMEOUT), and may take for one answer (VIDMEM_LLM_DEADLINE). */
  llmTimeoutSec: { min: 1, max: 3600 },
  llmDeadlineSec: { min: 1, max: 86_400 },
  stallTimeoutSec: { min: 1, max: 3600 },
  /** Frames a second the object detector looks at: at most the frames sampled; a few a second is what 2 cores keep up with. */
  detectFps: { min: 0.01, max: 10 },
  /** Seconds a live source's memories are kept: they are pruned once a minute, and a century is for ever. */
  retainMemoriesSec: { min: 60, max: 100 * 365 * 86_400 },
  /** Seconds a keyframe is kept by `vidmem videos prune`: 0 removes them all. */
  keyframeAgeSec: { min: 0, max: 100 * 365 * 86_400 },
  /** Seconds of a live source's recording `vidmem clip` cuts at once. */
  cutSeconds: { min: 0.5, max: 3600 },
  /** Characters of a question or query sent over HTTP or MCP: more than any question, less than a body worth refusing. */
  questionChars: { min: 1, max: 16_384, integer: true },
  /** A text rule's threshold in robust sigmas; an alert rule's cool-down, minimum count and seconds. */
  sigma: { min: 0.5, max: 100 },
  cooldownSec: { min: 0, max: 7 * 86_400 },
  minCount: { min: 1, max: 1000, integer: true },
  minSeconds: { min: 0, max: 86_400 },
  /** `vidmem serve --port`; 0 lets the system pick a free one. */
  port: { min: 0, max: 65_535, integer: true },
} as const satisfies Record<string, Range>;

/** "a number from 0.01 to 30", "a whole number from 1 to 64" */
export function describeRange(range: Range): string {
  return `${range.integer ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}`;
}

export function inRange(value: number, range: Range): boolean {
  return Number.isFinite(value) && value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value));
}

/** Refuses a setting a program passed outside its range, naming it as the command line does. */
export function checkRange(name: string, value: number, range: Range): void {
  if (!inRange(value, range)) throw new ConfigError(`${name} must be ${describeRange(range)}, got ${value}`);
}

export interface LlmConfig {
  /** The API root of an OpenAI-compatible server; unset means the built-in answerer. */
  readonly url?: string;
  readonly model?: string;
  readonly apiKey?: string;
  /** Longest wait for the server to start answering, and for each next event that carries something (keep-alives do not). */
  readonly timeoutMs: number;
  /** Longest time one answer may take, retries included. */
  readonly deadlineMs: number;
}

export interface Config {
  /** VIDMEM_STORE: the store commands use without --store. */
  readonly store: string;
  /** VIDMEM_CACHE, else $XDG_CACHE_HOME/vidmem, else ~/.cache/vidmem. */
  readonly cacheDir: string;
  /** VIDMEM_OFFLINE or HF_HUB_OFFLINE: never use the network. */
  readonly offline: boolean;
  /** VIDMEM_DEVICE: where encoders run unless --device says. */
  readonly device: Device;
  /** HF_ENDPOINT (a mirror) and HF_TOKEN (gated or private repos). */
  readonly hub: { readonly endpoint: string; readonly token?: string };
  /** VIDMEM_FFMPEG: another ffmpeg than the npm package's (it also probes: no ffprobe is needed). */
  readonly binaries: { readonly ffmpeg?: string };
  /** VIDMEM_LLM_URL, VIDMEM_LLM_MODEL, VIDMEM_LLM_API_KEY, VIDMEM_LLM_TIMEOUT and VIDMEM_LLM_DEADLINE (seconds). */
  readonly llm: LlmConfig;
  /** npm_config_registry (npm sets it for `npx vidmem`): where models shipped as npm packages come from. */
  readonly npmRegistry: string;
  /** VIDMEM_DEBUG: stack traces and the runtimes' own warnings. */
  readonly debug: boolean;
  /** VIDMEM_TOKEN: the bearer token `vidmem serve` asks of every request unless --token says another. */
  readonly serveToken?: string;
}

/** A configuration value that cannot be used; exit status 2, like a bad command-line option. */
export class ConfigError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** An unset variable and an empty one mean the same: not set. */
function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function flag(env: Env, name: string): boolean {
  const raw = value(env, name);
  if (raw === undefined) return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be 1 or 0 (or true/false, yes/no, on/off), got '${raw}'`);
}

function httpUrl(env: Env, name: string, example: string): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new ConfigError(`${name} must be an http(s) URL such as ${example}, got '${raw}'`);
  }
  return raw;
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  return raw as T;
}

function seconds(env: Env, name: string, range: Range, fallback: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (!inRange(parsed, range)) throw new ConfigError(`${name} must be ${describeRange(range)} seconds, got '${raw}'`);
  return parsed;
}

export function readConfig(env: Env = process.env, home: string = homedir()): Config {
  const xdgCache = value(env, 'XDG_CACHE_HOME') ?? join(home, '.cache');
  const token = value(env, 'HF_TOKEN') ?? value(env, 'HF_ACCESS_TOKEN');
  const llmUrl = httpUrl(env, 'VIDMEM_LLM_URL', 'http://127.0.0.1:11434/v1');
  const llmModel = value(env, 'VIDMEM_LLM_MODEL');
  const apiKey = value(env, 'VIDMEM_LLM_API_KEY');
  const ffmpeg = value(env, 'VIDMEM_FFMPEG');
  const serveToken = value(env, 'VIDMEM_TOKEN');
  return {
    store: value(env, 'VIDMEM_STORE') ?? DEFAULTS.store,
    cacheDir: value(env, 'VIDMEM_CACHE') ?? join(xdgCache, 'vidmem'),
    offline: flag(env, 'VIDMEM_OFFLINE') || flag(env, 'HF_HUB_OFFLINE'),
    device: oneOf(env, 'VIDMEM_DEVICE', DEVICES, DEFAULTS.device),
    hub: {
      endpoint: (httpUrl(env, 'HF_ENDPOINT', DEFAULTS.hubEndpoint) ?? DEFAULTS.hubEndpoint).replace(/\/+$/, ''),
      ...(token ? { token } : {}),
    },
    binaries: { ...(ffmpeg ? { ffmpeg } : {}) },
    llm: {
      ...(llmUrl ? { url: llmUrl } : {}),
      ...(llmModel ? { model: llmModel } : {}),
      ...(apiKey ? { apiKey } : {}),
      timeoutMs: seconds(env, 'VIDMEM_LLM_TIMEOUT', LIMITS.llmTimeoutSec, DEFAULTS.llmTimeoutSec) * 1000,
      deadlineMs: seconds(env, 'VIDMEM_LLM_DEADLINE', LIMITS.llmDeadlineSec, DEFAULTS.llmDeadlineSec) * 1000,
    },
    npmRegistry: httpUrl(env, 'npm_config_registry', DEFAULTS.npmRegistry) ?? DEFAULTS.npmRegistry,
    debug: value(env, 'VIDMEM_DEBUG') !== undefined,
    ...(serveToken ? { serveToken } : {}),
  };
}

/**
 * The one variable vidmem sets rather than reads, kept here with the others: better-sqlite3 takes
 * URI filenames only when SQLITE_USE_URI is 1 as it loads, and a store nobody may write is opened
 * through one (see storage/open-database.ts). A value the user set is left alone.
 */
export function enableSqliteUris(): void {
  process.env.SQLITE_USE_URI ??= '1';
}
