/**
 * The files of a model in the Hugging Face ONNX layout that transformers.js uses (Xenova/*,
 * onnx-community/*): a CLIP-family dual encoder, or Whisper; what must be there for a given
 * dtype, and what may be.
 */
import type { Dtype } from '../src/core/config.js';

/** transformers.js' naming of precision variants: `onnx/<part>_model<suffix>.onnx`. */
const DTYPE_SUFFIX: Record<Dtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4' };

export type Tower = 'vision' | 'text';

export function onnxPath(tower: Tower, dtype: Dtype): string {
  return `onnx/${tower}_model${DTYPE_SUFFIX[dtype]}.onnx`;
}

export interface ModelFile {
  readonly path: string;
  /** Optional files are fetched when the repo has them; their absence is no error. */
  readonly required: boolean;
}

export const CONFIG_FILE: ModelFile = { path: 'config.json', required: true };

export function clipModelFiles(dtype: Dtype): ModelFile[] {
  return [
    CONFIG_FILE,
    { path: 'preprocessor_config.json', required: true },
    { path: 'tokenizer.json', required: true },
    { path: 'tokenizer_config.json', required: true },
    { path: 'special_tokens_map.json', required: false },
    { path: onnxPath('vision', dtype), required: true },
    { path: onnxPath('text', dtype), required: true },
  ];
}

/** Whisper's encoder and its merged decoder (one graph with and without the key/value cache). */
export function whisperGraphs(dtype: Dtype): { readonly encoder: string; readonly decoder: string } {
  return { encoder: `onnx/encoder_model${DTYPE_SUFFIX[dtype]}.onnx`, decoder: `onnx/decoder_model_merged${DTYPE_SUFFIX[dtype]}.onnx` };
}

export function whisperModelFiles(dtype: Dtype): ModelFile[] {
  const { encoder, decoder } = whisperGraphs(dtype);
  return [
    CONFIG_FILE,
    { path: 'generation_config.json', required: true },
    { path: 'preprocessor_config.json', required: false },
    { path: 'tokenizer.json', required: true },
    { path: 'tokenizer_config.json', required: true },
    { path: encoder, required: true },
    { path: decoder, required: true },
  ];
}
