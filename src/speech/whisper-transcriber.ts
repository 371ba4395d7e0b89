/**
 * Whisper in the transformers.js ONNX layout (onnx-community/whisper-*, Xenova/whisper-*) on
 * vidmem's own onnxruntime: the encoder reads a 30 s window's log-mel features once, the merged
 * decoder then writes tokens greedily with its key/value cache, under Whisper's timestamp rules,
 * so that every piece of text comes with its start and end. Token ids come from the model's
 * generation_config.json and the text from its tokenizer.json.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { UserError } from '../core/errors.js';
import type { OpenSession } from '../core/ports/onnx-session.js';
import type { SpeechSegment, Transcriber } from '../core/ports/transcriber.js';
import { SPEECH_SAMPLE_RATE } from '../core/speech-audio.js';
import { FRAMES, logMel, melFilters } from './log-mel.js';

/** Each timestamp token is 20 ms later than the one before. */
const TIMESTAMP_SECONDS = 0.02;
/** Whisper's own limit on where the first piece may start: a window begins with speech. */
const MAX_INITIAL_TIMESTAMP = 1;

interface WhisperConfig {
  readonly d_model: number;
  readonly decoder_attention_heads: number;
  readonly decoder_layers: number;
  readonly max_target_positions?: number;
  readonly num_mel_bins?: number;
}

interface GenerationConfig {
  readonly decoder_start_token_id: number;
  readonly eos_token_id: number;
  readonly no_timestamps_token_id: number;
  readonly is_multilingual?: boolean;
  readonly lang_to_id?: Readonly<Record<string, number>>;
  readonly task_to_id?: Readonly<Record<string, number>>;
  readonly suppress_tokens?: readonly number[];
  readonly begin_suppress_tokens?: readonly number[];
}

export interface WhisperOptions {
  /** The graphs' paths in the folder, for the precision chosen (models/model-files.ts names them). */
  readonly encoder: string;
  readonly decoder: string;
  /** The language spoken, as Whisper names it (`en`, `de`); multilingual models only. */
  readonly language?: string;
}

async function readJson<T>(folder: string, file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(join(folder, file), 'utf8')) as T;
  } catch (err) {
    throw new UserError(`speech model ${folder}: cannot read ${file} (${(err as Error).message.split('\n')[0]}); is it a Whisper model in the transformers.js ONNX layout?`);
  }
}

function promptOf(generation: GenerationConfig, language: string): number[] {
  if (!generation.is_multilingual) return [generation.decoder_start_token_id];
  const lang = generation.lang_to_id?.[`<|${language}|>`];
  if (lang === undefined) throw new UserError(`speech model: Whisper does not know the language '${language}'`);
  const transcribe = generation.task_to_id?.transcribe;
  return [generation.decoder_start_token_id, lang, ...(transcribe === undefined ? [] : [transcribe])];
}

/**
 * Whisper's ApplyTimestampRules, greedy: timestamps come in pairs around text, never go back, the
 * first token is a timestamp no later than a second in, and a timestamp is chosen whenever the
 * timestamps together are likelier than the likeliest text token.
 */
export function nextToken(logits: Float32Array, generated: readonly number[], rules: { timestampBegin: number; eos: number; suppress: ReadonlySet<number>; beginSuppress: ReadonlySet<number> }): number {
  const { timestampBegin, eos } = rules;
  const scores = Float32Array.from(logits);
  const ban = (from: number, to: number) => scores.fill(-Infinity, from, to);
  for (const id of rules.suppress) if (id < scores.length) scores[id] = -Infinity;
  // The special tokens between the end token and the timestamps (start, languages, tasks, <|notimestamps|>) are the prompt's, never written.
  ban(eos + 1, timestampBegin);
  if (generated.length === 0) {
    for (const id of rules.beginSuppress) if (id < scores.length) scores[id] = -Infinity;
    ban(0, timestampBegin);
    ban(timestampBegin + Math.round(MAX_INITIAL_TIMESTAMP / TIMESTAMP_SECONDS) + 1, scores.length);
  } else {
    const last = generated.at(-1)!;
    const lastWasTimestamp = last >= timestampBegin;
    const penultimateWasTimestamp = generated.length < 2 || generated.at(-2)! >= timestampBegin;
    if (lastWasTimestamp) {
      if (penultimateWasTimestamp) ban(timestampBegin, scores.length);
      else ban(0, eos);
    }
    const timestamps = generated.filter((id) => id >= timestampBegin);
    if (timestamps.length > 0) {
      const floor = lastWasTimestamp && !penultimateWasTimestamp ? timestamps.at(-1)! : timestamps.at(-1)! + 1;
      ban(timestampBegin, Math.min(floor, scores.length));
    }
  }
  // Timestamps as a whole against the best text token, in log-probabilities.
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  let total = 0;
  let timestampMass = 0;
  let bestText = -Infinity;
  for (let id = 0; id < scores.length; id++) {
    const p = Math.exp(scores[id]! - max);
    total += p;
    if (id >= timestampBegin) timestampMass += p;
    else bestText = Math.max(bestText, p);
  }
  if (timestampMass / total > bestText / total) ban(0, timestampBegin);
  let best = 0;
  for (let id = 1; id < scores.length; id++) if (scores[id]! > scores[best]!) best = id;
  return best;
}

/** Tokens as Whisper wrote them → pieces of text between their timestamps. */
export function segmentsOf(tokens: readonly number[], timestampBegin: number, decode: (ids: number[]) => string, windowEnd: number): SpeechSegment[] {
  const segments: SpeechSegment[] = [];
  let start: number | undefined;
  let text: number[] = [];
  const close = (end: number) => {
    const said = decode(text).trim();
    if (said && start !== undefined) segments.push({ text: said, start, end: Math.max(start, end) });
    text = [];
  };
  for (const id of tokens) {
    if (id < timestampBegin) {
      text.push(id);
      continue;
    }
    const time = (id - timestampBegin) * TIMESTAMP_SECONDS;
    if (text.length > 0) close(time);
    start = time;
  }
  // Text after the last timestamp ran to the end of the window.
  if (text.length > 0) close(windowEnd);
  return segments;
}

export async function openWhisper(openSession: OpenSession, folder: string, options: WhisperOptions): Promise<Transcriber> {
  const [config, generation, tokenizerJson, tokenizerConfig] = await Promise.all([
    readJson<WhisperConfig>(folder, 'config.json'),
    readJson<GenerationConfig>(folder, 'generation_config.json'),
    readJson<object>(folder, 'tokenizer.json'),
    readJson<object>(folder, 'tokenizer_config.json'),
  ]);
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  const [encoder, decoder] = await Promise.all([openSession(join(folder, options.encoder)), openSession(join(folder, options.decoder))]);
  const cacheNames = decoder.inputNames.filter((name) => name.startsWith('past_key_values.'));
  if (!decoder.inputNames.includes('input_ids') || cacheNames.length === 0) {
    throw new UserError(`speech model ${folder}: ${options.decoder} is not a Whisper decoder with a cache (inputs ${decoder.inputNames.join(', ')})`);
  }
  const filters = melFilters(config.num_mel_bins ?? 80);
  const heads = config.decoder_attention_heads;
  const headDim = config.d_model / heads;
  const prompt = promptOf(generation, options.language ?? 'en');
  const timestampBegin = generation.no_timestamps_token_id + 1;
  const rules = {
    timestampBegin,
    eos: generation.eos_token_id,
    suppress: new Set(generation.suppress_tokens ?? []),
    beginSuppress: new Set(generation.begin_suppress_tokens ?? []),
  };
  const maxTokens = Math.floor((config.max_target_positions ?? 448) / 2);
  const decode = (ids: number[]) => tokenizer.decode(ids, { skip_special_tokens: true });
  const empty = new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, headDim]);

  return async (samples, offset) => {
    const features = new ort.Tensor('float32', logMel(samples, filters), [1, filters.length, FRAMES]);
    const { last_hidden_state: hidden } = await encoder.run({ input_features: features });
    let cache: Record<string, ort.Tensor> = Object.fromEntries(cacheNames.map((name) => [name, empty]));
    let input = prompt;
    const generated: number[] = [];
    while (generated.length < maxTokens) {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(input, BigInt), [1, input.length]),
        encoder_hidden_states: hidden!,
        ...cache,
      };
      if (decoder.inputNames.includes('use_cache_branch')) feeds.use_cache_branch = new ort.Tensor('bool', [generated.length > 0], [1]);
      const out = await decoder.run(feeds);
      const logits = out.logits!;
      const vocab = logits.dims[2]!;
      const last = (logits.data as Float32Array).subarray((input.length - 1) * vocab, input.length * vocab);
      const token = nextToken(last, generated, rules);
      if (token === rules.eos) break;
      generated.push(token);
      // The cross-attention cache is the encoder's and is made once; the self-attention cache grows.
      cache = Object.fromEntries(cacheNames.map((name) => [name, name.includes('.encoder.') && generated.length > 1 ? cache[name]! : out[name.replace('past_key_values', 'present')]!]));
      input = [token];
    }
    const windowEnd = samples.length / SPEECH_SAMPLE_RATE;
    // The window was padded with silence to 30 s: nothing said past its audio is real.
    return segmentsOf(generated, timestampBegin, decode, windowEnd)
      .filter((s) => s.start < windowEnd)
      .map((s) => ({ text: s.text, start: offset + s.start, end: offset + Math.min(s.end, windowEnd) }));
  };
}
