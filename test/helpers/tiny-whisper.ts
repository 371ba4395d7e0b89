/**
 * A Whisper-shaped model folder in the transformers.js ONNX layout whose decoder writes a fixed
 * script of tokens, so that everything around a real Whisper (features in, the encoder's state
 * into the decoder, the key/value cache, the timestamp rules, detokenization, times) runs on
 * onnxruntime here, where no real weights can be downloaded. Which token comes next is read from
 * the position the cache says the decoder is at: a transcriber that mishandles the cache writes
 * the wrong words.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder, int, ints } from '../../models/onnx-graph.js';

const WORDS = ['Ġhello', 'Ġworld', 'Ġagain'];
const EOS = WORDS.length;
const SOT = EOS + 1;
const EN = EOS + 2;
const TRANSCRIBE = EOS + 3;
const NO_TIMESTAMPS = EOS + 4;
const TIMESTAMP_BEGIN = NO_TIMESTAMPS + 1;
const VOCAB = TIMESTAMP_BEGIN + 1501;
const MAX_POSITIONS = 64;
const D_MODEL = 8;
const HEADS = 2;
const HEAD_DIM = D_MODEL / HEADS;
const PROMPT = 3;

const timestamp = (seconds: number) => TIMESTAMP_BEGIN + Math.round(seconds / 0.02);
const word = (text: string) => WORDS.indexOf(`Ġ${text}`);

/** What the model says in every window, and the pieces a transcriber should make of it. */
export const TINY_WHISPER_SCRIPT = [timestamp(0.5), word('hello'), word('world'), timestamp(1.5), timestamp(2), word('again'), timestamp(3)];
export const TINY_WHISPER_SEGMENTS = [{ text: 'hello world', start: 0.5, end: 1.5 }, { text: 'again', start: 2, end: 3 }];

function encoder(): Uint8Array {
  const g = new GraphBuilder({ name: 'tiny_whisper_encoder' });
  const features = g.input('input_features', 'float32', [1, 80, 3000]);
  const sliced = g.node('Slice', [features, g.int64('starts', [2], [0, 0]), g.int64('ends', [2], [D_MODEL, 3000]), g.int64('axes', [2], [1, 2]), g.int64('steps', [2], [1, 2])]);
  g.node('Transpose', [sliced], { perm: ints(0, 2, 1) }, 'last_hidden_state');
  g.output('last_hidden_state', 'float32', [1, 1500, D_MODEL]);
  return g.toBytes();
}

function decoder(): Uint8Array {
  const g = new GraphBuilder({ name: 'tiny_whisper_decoder_merged' });
  const ids = g.input('input_ids', 'int64', [1, 'sequence']);
  const hidden = g.input('encoder_hidden_states', 'float32', [1, 1500, D_MODEL]);
  const past = {
    decoderKey: g.input('past_key_values.0.decoder.key', 'float32', [1, HEADS, 'past', HEAD_DIM]),
    decoderValue: g.input('past_key_values.0.decoder.value', 'float32', [1, HEADS, 'past', HEAD_DIM]),
  };
  g.input('past_key_values.0.encoder.key', 'float32', [1, HEADS, 'encoder', HEAD_DIM]);
  g.input('past_key_values.0.encoder.value', 'float32', [1, HEADS, 'encoder', HEAD_DIM]);
  g.input('use_cache_branch', 'bool', [1]);

  const table = new Float32Array(MAX_POSITIONS * VOCAB);
  for (let position = 0; position < MAX_POSITIONS; position++) {
    const next = TINY_WHISPER_SCRIPT[position - (PROMPT - 1)] ?? EOS;
    table[position * VOCAB + next] = 10;
  }
  const zero = g.int64('zero_axis', [1], [0]);
  const pastLength = g.node('Squeeze', [g.node('Shape', [past.decoderKey], { start: int(2), end: int(3) }), zero]);
  const length = g.node('Shape', [ids], { start: int(1), end: int(2) });
  const end = g.node('Add', [pastLength, g.node('Squeeze', [length, zero])]);
  const positions = g.node('Range', [pastLength, end, g.int64('one', [], [1])]);
  const rows = g.node('Gather', [g.float32('script', [MAX_POSITIONS, VOCAB], table), positions], { axis: int(0) });
  g.node('Unsqueeze', [rows, zero], {}, 'logits');
  g.output('logits', 'float32', [1, 'sequence', VOCAB]);

  const fresh = g.node('ConstantOfShape', [g.node('Concat', [g.int64('batch_heads', [2], [1, HEADS]), length, g.int64('head_dim', [1], [HEAD_DIM])], { axis: int(0) })]);
  g.node('Concat', [past.decoderKey, fresh], { axis: int(2) }, 'present.0.decoder.key');
  g.node('Concat', [past.decoderValue, fresh], { axis: int(2) }, 'present.0.decoder.value');
  const cross = g.node('Transpose', [g.node('Reshape', [hidden, g.int64('heads_shape', [4], [1, 1500, HEADS, HEAD_DIM])])], { perm: ints(0, 2, 1, 3) });
  g.node('Identity', [cross], {}, 'present.0.encoder.key');
  g.node('Identity', [cross], {}, 'present.0.encoder.value');
  for (const name of ['present.0.decoder.key', 'present.0.decoder.value']) g.output(name, 'float32', [1, HEADS, 'total', HEAD_DIM]);
  for (const name of ['present.0.encoder.key', 'present.0.encoder.value']) g.output(name, 'float32', [1, HEADS, 1500, HEAD_DIM]);
  return g.toBytes();
}

function tokenizer(): object {
  const special = ['<|endoftext|>', '<|startoftranscript|>', '<|en|>', '<|transcribe|>', '<|notimestamps|>'];
  const timestamps = Array.from({ length: 1501 }, (_, i) => `<|${(i * 0.02).toFixed(2)}|>`);
  const added = [...special, ...timestamps].map((content, i) => ({ id: EOS + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: added, normalizer: null, pre_tokenizer: byteLevel, post_processor: null, decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab: Object.fromEntries(WORDS.map((w, i) => [w, i])), merges: [] },
  };
}

/** Writes the folder; `vidmem ingest --asr <folder>` takes it as it would a downloaded Whisper. */
export function writeTinyWhisper(folder: string): string {
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  const json = (file: string, value: object) => writeFileSync(join(folder, file), JSON.stringify(value));
  json('config.json', { model_type: 'whisper', d_model: D_MODEL, decoder_attention_heads: HEADS, decoder_layers: 1, max_target_positions: MAX_POSITIONS, num_mel_bins: 80 });
  json('generation_config.json', {
    decoder_start_token_id: SOT, eos_token_id: EOS, no_timestamps_token_id: NO_TIMESTAMPS, is_multilingual: true,
    lang_to_id: { '<|en|>': EN }, task_to_id: { transcribe: TRANSCRIBE }, suppress_tokens: [], begin_suppress_tokens: [EOS],
  });
  json('tokenizer.json', tokenizer());
  json('tokenizer_config.json', { model_max_length: 1024 });
  writeFileSync(join(folder, 'onnx', 'encoder_model.onnx'), encoder());
  writeFileSync(join(folder, 'onnx', 'decoder_model_merged.onnx'), decoder());
  return folder;
}
