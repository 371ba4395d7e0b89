/**
 * A decoder backed by any OpenAI-compatible chat-completions server (Ollama, vLLM, llama.cpp
 * server, hosted APIs): the selected memories go in as timestamped text, their keyframes as images
 * for vision models, and the reply streams back as server-sent events.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../core/errors.js';
import type { Evidence } from '../core/moments.js';
import type { DecodeRequest, Decoder } from '../core/ports/decoder.js';
import { formatRange, formatTimestamp } from '../core/time-format.js';
import { eventData } from './server-sent-events.js';

export interface OpenAiChatOptions {
  /** The API root, e.g. http://127.0.0.1:11434/v1; replies come from {baseUrl}/chat/completions. */
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as a Bearer token. */
  readonly apiKey?: string;
  /** Attach keyframes as images; false for text-only models. */
  readonly images: boolean;
  /** Longest wait for the server to start answering, and for each next piece of the reply. */
  readonly timeoutMs: number;
  /** Further attempts after a transient failure (connection refused or reset, 429, 5xx); default 2. */
  readonly retries?: number;
  /** Pause before the first retry, doubled for each next one. */
  readonly backoffMs?: number;
}

const DEFAULT_LLM_RETRIES = 2;
const DEFAULT_BACKOFF_MS = 500;
/** A server asking for a longer pause (Retry-After) gets this much; the user is waiting. */
const MAX_BACKOFF_MS = 10_000;

const SYSTEM_PROMPT = [
  'You answer questions about videos. You cannot watch them: you get the memories a video memory',
  'system selected for the question. Each memory is a moment with its time range [mm:ss–mm:ss], the',
  'video it comes from, a relevance score and any text known about it (on-screen text, subtitles,',
  'speech); keyframe images, when attached, show those moments. Answer only from these memories and',
  'images, and cite the time range of every moment you rely on as [mm:ss–mm:ss]. If they do not hold',
  'the answer, say so instead of guessing. Be brief.',
].join(' ');

/** A failed exchange with the server; `transient` ones are worth another attempt. */
class LlmError extends UserError {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/** Connection errors that a restarting or overloaded server gives, as opposed to a wrong address. */
const TRANSIENT_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed by the server',
  EAI_AGAIN: 'name lookup failed',
};

const PERMANENT_CODES: Record<string, string> = {
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
};

/** The code of a network error, which fetch wraps in one or two layers of `cause`. */
function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** Restarts on every sign of life; when it fires, the attempt's signal aborts. */
class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  fired = false;

  constructor(private readonly ms: number) {
    this.restart();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.ms);
  }

  /** Ends the attempt: the timer and, if still open, the connection. */
  stop(): void {
    clearTimeout(this.timer);
    this.controller.abort();
  }
}

/** The server's own words from an error body: OpenAI, Ollama, vLLM and llama.cpp each nest them a little differently. */
function serverMessage(body: string): string {
  let message: unknown = body;
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = json.error as { message?: unknown } | string | undefined;
    message = (typeof error === 'object' ? error?.message : error) ?? json.message ?? json.detail ?? body;
  } catch {
    // Not JSON: the body itself is the message (a proxy's HTML page, plain text).
  }
  const line = (typeof message === 'string' ? message : JSON.stringify(message)).replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

interface ContentPart {
  readonly type: 'text' | 'image_url';
  readonly text?: string;
  readonly image_url?: { readonly url: string };
}

interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string | readonly ContentPart[];
}

/** A keyframe that went missing since ingest leaves its memory without an image, not the answer without a reply. */
async function readKeyframe(e: Evidence): Promise<string | null> {
  if (!e.thumbnail) return null;
  try {
    return `data:image/jpeg;base64,${(await readFile(e.thumbnail)).toString('base64')}`;
  } catch {
    return null;
  }
}

/** The question with its memories as timestamped text, images labelled by the memory they show. */
async function userMessage(request: DecodeRequest, images: boolean): Promise<ChatMessage> {
  const keyframes = images ? await Promise.all(request.evidence.map(readKeyframe)) : [];
  const lines = [`Question: ${request.question}`, ''];
  if (request.wholeVideo) lines.push('The question is about the whole video; the memories are spread over its timeline.', '');
  if (request.evidence.length === 0) {
    lines.push('No stored memory matched the question.');
  } else {
    lines.push('Memories, in time order:');
    let image = 0;
    request.evidence.forEach((e, i) => {
      const keyframe = keyframes[i] ? `, keyframe: image ${++image}` : '';
      lines.push(`${i + 1}. [${formatRange(e.start, e.end)}] ${basename(e.videoPath)} (video ${e.videoId}), relevance ${e.score.toFixed(2)}${keyframe}`);
      for (const piece of e.text) lines.push(`   ${piece.channel} at [${formatTimestamp(piece.start)}]: ${JSON.stringify(piece.text)}`);
    });
    const more = request.moreAlike;
    // Counting questions ("how many times…") must not be answered from the listed memories alone.
    if (more && more.count > 0) lines.push(`${more.atLeast ? 'At least ' : ''}${more.count} more moments match as well as the weakest listed one but are not listed.`);
  }
  const text = lines.join('\n');
  const attached = keyframes.filter((k): k is string => k !== null);
  // Text-only servers may not accept content parts at all, so plain text stays a string.
  if (attached.length === 0) return { role: 'user', content: text };
  return {
    role: 'user',
    content: [{ type: 'text', text }, ...attached.map((url) => ({ type: 'image_url' as const, image_url: { url } }))],
  };
}

interface StreamChunk {
  error?: unknown;
  choices?: Array<{ delta?: { content?: string | null }; message?: { content?: string | null }; finish_reason?: string | null }>;
}

export class OpenAiChatDecoder implements Decoder {
  readonly name: string;
  readonly listsEvidence = false;
  private readonly endpoint: string;

  constructor(private readonly options: OpenAiChatOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    this.endpoint = base.endsWith('/chat/completions') ? base : `${base}/chat/completions`;
    this.name = `${options.model} at ${base}`;
  }

  async *answer(request: DecodeRequest, signal?: AbortSignal): AsyncIterable<string> {
    const body = JSON.stringify({
      model: this.options.model,
      stream: true,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        ...request.history.map((turn) => ({ role: turn.role, content: turn.content })),
        await userMessage(request, this.options.images),
      ],
    });
    const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF_MS;
    for (let attempt = 0; ; attempt++) {
      let streamed = false;
      try {
        for await (const piece of this.attempt(body, signal)) {
          streamed = true;
          yield piece;
        }
        return;
      } catch (err) {
        if (!(err instanceof LlmError)) throw err;
        // Once text has reached the caller a retry would repeat it; the answer fails as a whole.
        if (streamed || !err.transient || attempt >= (this.options.retries ?? DEFAULT_LLM_RETRIES)) {
          throw attempt === 0 ? err : new LlmError(`${err.message} (gave up after ${attempt + 1} attempts)`, false);
        }
        await sleep(Math.min(err.retryAfterMs ?? backoff * 2 ** attempt, MAX_BACKOFF_MS), undefined, { signal });
      }
    }
  }

  /** One request; its failures come out as LlmError, or as the caller's own abort. */
  private async *attempt(body: string, signal: AbortSignal | undefined): AsyncGenerator<string> {
    const timer = new IdleTimer(this.options.timeoutMs);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let answering = false;
    try {
      const response = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body,
        signal: signal ? AbortSignal.any([signal, timer.signal]) : timer.signal,
      });
      timer.restart();
      if (!response.ok) throw await this.rejection(response);
      answering = true;
      if (!response.headers.get('content-type')?.includes('text/event-stream')) {
        // A server that ignores `stream: true` sends the whole completion at once.
        for (const piece of this.pieces(await response.text(), true)) if (piece !== null) yield piece;
        return;
      }
      let finished = false;
      for await (const data of eventData(response.body!, () => timer.restart())) {
        if (data.trim() === '[DONE]') {
          finished = true;
          break;
        }
        for (const piece of this.pieces(data, false)) {
          if (piece === null) finished = true;
          else yield piece;
        }
      }
      if (!finished) throw new LlmError(`the LLM at ${this.endpoint} ended its reply mid-answer`, true);
    } catch (err) {
      if (err instanceof LlmError) throw err;
      if (signal?.aborted) throw err;
      if (timer.fired) {
        const seconds = `${this.options.timeoutMs / 1000} s`;
        throw new LlmError(
          answering
            ? `the LLM at ${this.endpoint} stopped sending for ${seconds} mid-answer`
            : `the LLM at ${this.endpoint} did not answer within ${seconds} (VIDMEM_LLM_TIMEOUT sets the limit)`,
          false,
        );
      }
      const code = errorCode(err);
      const reason = (code && (TRANSIENT_CODES[code] ?? PERMANENT_CODES[code])) ?? (err as Error).message;
      const transient = code !== undefined && code in TRANSIENT_CODES;
      throw new LlmError(
        answering ? `the LLM at ${this.endpoint} broke off mid-answer: ${reason}` : `cannot reach the LLM at ${this.endpoint}: ${reason}`,
        transient,
      );
    } finally {
      timer.stop();
    }
  }

  /**
   * The text pieces of one chunk of the reply (a whole completion when `whole`); null marks the
   * chunk that says the reply is complete.
   */
  private *pieces(json: string, whole: boolean): Generator<string | null> {
    let chunk: StreamChunk | null;
    try {
      chunk = JSON.parse(json) as StreamChunk | null;
    } catch {
      chunk = null;
    }
    if (chunk === null || typeof chunk !== 'object') {
      throw new LlmError(`the LLM at ${this.endpoint} sent something that is not a chat completion: ${serverMessage(json)}`, false);
    }
    if (chunk.error) throw new LlmError(`the LLM at ${this.endpoint} failed mid-answer: ${serverMessage(json)}`, false);
    for (const choice of chunk.choices?.slice(0, 1) ?? []) {
      const content = whole ? choice.message?.content : choice.delta?.content;
      if (content) yield content;
      if (whole || choice.finish_reason) yield null;
    }
  }

  private async rejection(response: Response): Promise<LlmError> {
    const detail = serverMessage(await response.text().catch(() => ''));
    const status = `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
    if (response.status === 429 || response.status >= 500) {
      return new LlmError(`the LLM at ${this.endpoint} failed: ${status}`, true, retryAfterMs(response.headers.get('retry-after')));
    }
    const hint = response.status === 401 || response.status === 403 ? ' (check VIDMEM_LLM_API_KEY)' : '';
    return new LlmError(`the LLM at ${this.endpoint} rejected the request: ${status}${hint}`, false);
  }
}
