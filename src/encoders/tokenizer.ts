/**
 * Text → token ids with the model's own tokenizer.json, through @huggingface/tokenizers (the
 * tokenizer library transformers.js itself runs on, which implements every tokenizer family the
 * hub's CLIP and SigLIP exports use, without loading the rest of transformers.js); batching (right
 * padding, a cut that keeps the end token) is vidmem's. Files come from the model folder only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { UserError } from '../core/errors.js';

/** One int64 tensor per model input the tokenizer produces (input_ids, attention_mask). */
export type TokenBatch = Readonly<Record<string, { readonly data: BigInt64Array; readonly dims: number[] }>>;

export interface TextTokenizer {
  /** The context's length in tokens, special tokens included; Infinity when the model has none. */
  readonly maxLength: number;
  count(text: string): number;
  tokenize(texts: readonly string[]): TokenBatch;
}

interface TokenizerConfig {
  model_max_length?: number;
  pad_token?: string | { content?: string };
  eos_token?: string | { content?: string };
}

async function readJson(folder: string, file: string): Promise<object> {
  try {
    return JSON.parse(await readFile(join(folder, file), 'utf8')) as object;
  } catch (err) {
    throw new UserError(`model folder ${folder}: cannot load its tokenizer (${file}: ${(err as Error).message.split('\n')[0]})`);
  }
}

/** A special token as tokenizer_config.json names it: a string, or an AddedToken object. */
function tokenName(token: TokenizerConfig['pad_token']): string | undefined {
  return typeof token === 'string' ? token : token?.content;
}

export async function loadTokenizer(folder: string, options: { padToMaxLength: boolean }): Promise<TextTokenizer> {
  const config = (await readJson(folder, 'tokenizer_config.json')) as TokenizerConfig;
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(await readJson(folder, 'tokenizer.json'), config);
  } catch (err) {
    throw new UserError(`model folder ${folder}: cannot load its tokenizer (${(err as Error).message.split('\n')[0]})`);
  }
  const maxLength = Number.isFinite(config.model_max_length) ? config.model_max_length! : Infinity;
  // The special token the tokenizer closes every text with (CLIP's <|endoftext|>, SigLIP's </s>).
  const closing = tokenizer.encode('').ids.at(-1);
  // transformers.js pads with the pad token, else the end-of-sequence token.
  const padName = tokenName(config.pad_token) ?? tokenName(config.eos_token);
  const padId = (padName === undefined ? undefined : tokenizer.token_to_id(padName)) ?? 0;
  return {
    maxLength,
    count: (text) => tokenizer.encode(text).ids.length,
    tokenize(texts) {
      const rows = texts.map((text): number[] => {
        const ids = tokenizer.encode(text).ids;
        if (ids.length <= maxLength) return ids;
        // transformers.js cuts after adding special tokens, dropping CLIP's end token, which is
        // where CLIP pools the text; Hugging Face's Python tokenizers keep it, and so does vidmem.
        const kept = ids.slice(0, maxLength);
        if (closing !== undefined && ids.at(-1) === closing) kept[maxLength - 1] = closing;
        return kept;
      });
      const width = options.padToMaxLength && Number.isFinite(maxLength) ? maxLength : Math.max(1, ...rows.map((ids) => ids.length));
      const inputIds = new BigInt64Array(rows.length * width).fill(BigInt(padId));
      const attentionMask = new BigInt64Array(rows.length * width);
      rows.forEach((ids, row) => {
        ids.forEach((id: number, column: number) => {
          inputIds[row * width + column] = BigInt(id);
          attentionMask[row * width + column] = 1n;
        });
      });
      const dims = [rows.length, width];
      return { input_ids: { data: inputIds, dims }, attention_mask: { data: attentionMask, dims } };
    },
  };
}
