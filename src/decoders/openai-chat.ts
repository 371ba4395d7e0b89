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
import { formatMomentRange, formatMomentTime } from '../core/time-format.js';
import { formatSize, limitBytes, readAtMost, TooLarge } from './bounded-read.js';
import { eventData } from './server-sent-events.js';

export interface OpenAiChatOptions {
  /** The API root, e.g. http://127.0.0.1:11434/v1; replies come from {baseUrl}/chat/completions. */
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as a Bearer token. */
  readonly apiKey?: string;
  /** Attach keyframes as images; false for text-only models. */
  readonly images: boolean;
  /**
   * Longest wait for the server to start answering, and for each next event that carries
   * something: keep-alive comments and empty events are no progress.
   */
  readonly timeoutMs: number;
  /** Longest time one answer may take, from the request to the last piece, retries included. */
  readonly deadlineMs: number;
  /** Further attempts after a transient failure (connection refused or reset, 429, 5xx); default 2. */
  readonly retries?: number;
  /** Pause before the first retry, doubled for each next one. */
  readonly backoffMs?: number;
}

const DEFAULT_LLM_RETRIES = 2;
const DEFAULT_BACKOFF_MS = 500;
/** A server asking for a longer pause (Retry-After) gets this much; the user is waiting. */
const MAX_BACKOFF_MS = 10_000;

/**
 * What vidmem reads of a server's replies at most, so that its memory is bounded whatever a
 * server sends: far above any real chat completion, far below what hurts.
 */
export const LLM_READ_LIMITS = {
  /** One line or event of a streamed reply. */
  eventBytes: 2 ** 20,
  /** A whole streamed reply. */
  streamBytes: 32 * 2 ** 20,
  /** A reply that is not streamed. */
  replyBytes: 4 * 2 ** 20,
  /** An error body: its start holds the server's message; the rest is not read. */
  errorBytes: 8 * 2 ** 10,
} as const;

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
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  CERT_NOT_YET_VALID: 'its TLS certificate is not valid yet',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is signed by an unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it does not speak TLS (try http:// instead of https://)',
};

/**
 * Why a request never reached the server, in words: fetch says only "fetch failed" and keeps the
 * reason one or two layers down its `cause`, as a code (ECONNREFUSED) or, for a port fetch will
 * not connect to, as the bare message "bad port".
 */
function unreachable(err: unknown, url: URL): { reason: string; transient: boolean } {
  /** The deepest message, fetch's own "fetch failed" being the shallowest. */
  let deepest = String(err);
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && e.code in TRANSIENT_CODES) return { reason: TRANSIENT_CODES[e.code]!, transient: true };
    if (typeof e.code === 'string' && e.code in PERMANENT_CODES) return { reason: PERMANENT_CODES[e.code]!, transient: false };
    // OpenSSL has more certificate failures than the table names; the code says which.
    if (typeof e.code === 'string' && /CERT/.test(e.code)) return { reason: `its TLS certificate was refused (${e.code})`, transient: false };
    if (e.message === 'bad port') {
      return { reason: `port ${url.port} is one that fetch refuses to connect to (unsafe port); use another port`, transient: false };
    }
    if (typeof e.message === 'string' && e.message.trim() !== '') deepest = e.message;
  }
  // OpenSSL's messages span lines; the user gets one.
  return { reason: deepest.replace(/\s+/g, ' ').trim(), transient: false };
}

/**
 * Aborts its signal when it runs out: restarted on every sign of progress it is an idle timeout,
 * never restarted a deadline.
 */
class AbortTimer {
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

  /** Ends the timer and, through the signal, a connection still open. */
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

/** "0.5 s", "120 s" */
function seconds(ms: number): string {
  return `${ms / 1000} s`;
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
      lines.push(`${i + 1}. [${formatMomentRange(e)}] ${basename(e.videoPath)} (video ${e.videoId}), relevance ${e.score.toFixed(2)}${keyframe}`);
      for (const piece of e.text) lines.push(`   ${piece.channel} at [${formatMomentTime(e.startedAt, piece.start)}]: ${JSON.stringify(piece.text)}`);
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
    const deadline = new AbortTimer(this.options.deadlineMs);
    try {
      yield* this.attempts(body, signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal);
    } catch (err) {
      if (!deadline.fired || signal?.aborted) throw err;
      throw new LlmError(`the LLM at ${this.endpoint} did not finish its answer within ${seconds(this.options.deadlineMs)} (VIDMEM_LLM_DEADLINE sets the limit)`, false);
    } finally {
      deadline.stop();
    }
  }

  /** The attempts at one answer: transient failures are retried with backoff until text has been streamed. */
  private async *attempts(body: string, signal: AbortSignal): AsyncGenerator<string> {
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

  /** One request; its failures come out as LlmError, or as an abort of `signal` (the caller's or the deadline's). */
  private async *attempt(body: string, signal: AbortSignal): AsyncGenerator<string> {
    const timer = new AbortTimer(this.options.timeoutMs);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let answering = false;
    let streamed = false;
    /** Whether the server, since its last event that carried something, sent keep-alives: alive, but not answering. */
    let keptAlive = false;
    try {
      const response = await fetch(this.endpoint, { method: 'POST', headers, body, signal: AbortSignal.any([signal, timer.signal]) });
      timer.restart();
      if (!response.ok) throw await this.rejection(response);
      answering = true;
      if (!response.headers.get('content-type')?.includes('text/event-stream')) {
        // A server that ignores `stream: true` sends the whole completion at once.
        const reply = await readAtMost(response.body, LLM_READ_LIMITS.replyBytes);
        if (!reply.whole) throw new TooLarge(`a reply over ${formatSize(LLM_READ_LIMITS.replyBytes)}`);
        for (const piece of this.pieces(reply.text, true)) if (piece !== null) yield piece;
        return;
      }
      let finished = false;
      const events = eventData(limitBytes(response.body!, LLM_READ_LIMITS.streamBytes, 'one streamed reply'), {
        maxEventBytes: LLM_READ_LIMITS.eventBytes,
        onKeepAlive: () => (keptAlive = true),
      });
      for await (const data of events) {
        // Only an event that carries something is progress (reasoning models stream other fields than content first).
        timer.restart();
        keptAlive = false;
        if (data.trim() === '[DONE]') {
          finished = true;
          break;
        }
        for (const piece of this.pieces(data, false)) {
          if (piece === null) finished = true;
          else {
            streamed = true;
            yield piece;
          }
        }
      }
      if (!finished) throw new LlmError(`the LLM at ${this.endpoint} ended its reply mid-answer`, true);
    } catch (err) {
      if (err instanceof LlmError) throw err;
      if (signal.aborted) throw err;
      if (err instanceof TooLarge) throw new LlmError(`the LLM at ${this.endpoint} sent ${err.message}, more than vidmem accepts`, false);
      if (timer.fired) {
        const limit = `${seconds(this.options.timeoutMs)}${streamed ? ' mid-answer' : ''} (VIDMEM_LLM_TIMEOUT sets the limit)`;
        throw new LlmError(
          keptAlive
            ? `the LLM at ${this.endpoint} sent only keep-alives for ${limit}`
            : answering
              ? `the LLM at ${this.endpoint} stopped sending for ${limit}`
              : `the LLM at ${this.endpoint} did not answer within ${limit}`,
          false,
        );
      }
      const { reason, transient } = unreachable(err, new URL(this.endpoint));
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
    // A proxy's error page can be any size; the server's words are at its start.
    const body = await readAtMost(response.body, LLM_READ_LIMITS.errorBytes).catch(() => ({ text: '' }));
    const detail = serverMessage(body.text);
    const status = `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
    if (response.status === 429 || response.status >= 500) {
      return new LlmError(`the LLM at ${this.endpoint} failed: ${status}`, true, retryAfterMs(response.headers.get('retry-after')));
    }
    const hint = response.status === 401 || response.status === 403 ? ' (check VIDMEM_LLM_API_KEY)' : '';
    return new LlmError(`the LLM at ${this.endpoint} rejected the request: ${status}${hint}`, false);
  }
}
