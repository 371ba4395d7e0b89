import type { LlmConfig } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import type { Decoder } from '../src/core/ports/decoder.js';

/** How a command asks to be answered: an OpenAI-compatible server's URL (`--llm`), and whether keyframes go with the memories. */
export interface DecoderChoice {
  readonly llm?: string;
  readonly images?: boolean;
  /** Whether the built-in answerer names keyframe files (see GroundedOptions): not for answers sent to a client. */
  readonly keyframePaths?: boolean;
}

/**
 * The decoder a question is answered with: an OpenAI-compatible server when `--llm` or
 * VIDMEM_LLM_URL names one (`--llm` wins), else the built-in grounded answerer.
 */
export async function chooseDecoder(choice: DecoderChoice, llm: LlmConfig): Promise<Decoder> {
  const baseUrl = choice.llm ?? llm.url;
  if (!baseUrl) {
    const { GroundedAnswerer } = await import('../src/decoders/grounded-answerer.js');
    return new GroundedAnswerer(choice.keyframePaths === false ? { keyframePaths: false } : {});
  }
  if (!/^https?:$/.test(URL.canParse(baseUrl) ? new URL(baseUrl).protocol : '')) {
    throw new UserError(`the LLM URL must be an http(s) URL such as http://127.0.0.1:11434/v1, got '${baseUrl}'`);
  }
  if (!llm.model) throw new UserError(`set VIDMEM_LLM_MODEL to the name of the model ${baseUrl} should answer with (e.g. llava)`);
  const { OpenAiChatDecoder } = await import('../src/decoders/openai-chat.js');
  return new OpenAiChatDecoder({
    baseUrl,
    model: llm.model,
    ...(llm.apiKey ? { apiKey: llm.apiKey } : {}),
    images: choice.images ?? true,
    timeoutMs: llm.timeoutMs,
    deadlineMs: llm.deadlineMs,
  });
}
