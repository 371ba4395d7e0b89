/**
 * Text → token ids with the model's own tokenizer.json, through transformers.js, which implements
 * every tokenizer family the hub's CLIP and SigLIP exports use; batching (right padding, a cut
 * that keeps the end token) is vidmem's. Files come from the model folder only: vidmem fetches and
 * verifies hub files itself (see models/download.ts).
 */
import { basename, dirname } from 'node:path';
import { AutoTokenizer, env as transformersEnv } from '@huggingface/transformers';
import { UserError } from '../errors.js';

/** One int64 tensor per model input the tokenizer produces (input_ids, attention_mask). */
export type TokenBatch = Readonly<Record<string, { readonly data: BigInt64Array; readonly dims: number[] }>>;

export interface TextTokenizer {
  tokenize(texts: readonly string[]): TokenBatch;
}

export async function loadTokenizer(folder: string, options: { padToMaxLength: boolean }): Promise<TextTokenizer> {
  transformersEnv.allowRemoteModels = false;
  transformersEnv.allowLocalModels = true;
  transformersEnv.localModelPath = `${dirname(folder)}/`;
  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(basename(folder));
  } catch (err) {
    throw new UserError(`model folder ${folder}: cannot load its tokenizer (${(err as Error).message.split('\n')[0]})`);
  }
  const maxLength = Number.isFinite(tokenizer.model_max_length) ? tokenizer.model_max_length : Infinity;
  // The special token the tokenizer closes every text with (CLIP's <|endoftext|>, SigLIP's </s>).
  const closing = tokenizer.encode('').at(-1);
  const padId = tokenizer.pad_token_id ?? 0;
  return {
    tokenize(texts) {
      const rows = texts.map((text) => {
        const ids = tokenizer.encode(text);
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
        ids.forEach((id, column) => {
          inputIds[row * width + column] = BigInt(id);
          attentionMask[row * width + column] = 1n;
        });
      });
      const dims = [rows.length, width];
      return { input_ids: { data: inputIds, dims }, attention_mask: { data: attentionMask, dims } };
    },
  };
}
