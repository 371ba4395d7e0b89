import type { Decoder } from './decoder.js';
import { GroundedAnswerer } from './grounded-answerer.js';
import { OpenAiChatDecoder, openAiOptionsFromEnv } from './openai-chat.js';

/**
 * The decoder a command answers with: an OpenAI-compatible server when `--llm` or VIDMEM_LLM_URL
 * names one, else the built-in grounded answerer.
 */
export function chooseDecoder(flags: { readonly llm?: string; readonly images?: boolean }, env: NodeJS.ProcessEnv = process.env): Decoder {
  const options = openAiOptionsFromEnv(flags, env);
  return options ? new OpenAiChatDecoder(options) : new GroundedAnswerer();
}
