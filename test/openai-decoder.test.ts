import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Evidence } from '../src/core/moments.js';
import type { DecodeRequest } from '../src/core/ports/decoder.js';
import { chooseDecoder } from '../pipelines/choose-decoder.js';
import { readConfig } from '../src/core/config.js';
import { LLM_READ_LIMITS, OpenAiChatDecoder, type OpenAiChatOptions } from '../src/decoders/openai-chat.js';
import { UserError } from '../src/core/errors.js';
import { encodeJpeg } from '../src/frames/encode-jpeg.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

interface FakeLlm {
  readonly url: string;
  /** Parsed JSON bodies of the requests received, in order. */
  readonly requests: Array<Record<string, any>>;
  readonly headers: IncomingMessage['headers'][];
}

let server: Server | undefined;
let dir: string;
let thumbs: { red: string; blue: string };

/** An OpenAI-compatible server on 127.0.0.1 whose behaviour each test scripts. */
async function fakeLlm(handler: Handler): Promise<FakeLlm> {
  const requests: FakeLlm['requests'] = [];
  const headers: FakeLlm['headers'] = [];
  server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    requests.push(JSON.parse(body));
    headers.push(req.headers);
    await handler(req, res, body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests, headers };
}

function sse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

function delta(content: string, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
}

/** Ends a stream as a server does once its answer is complete. */
function finish(res: ServerResponse): void {
  res.write(delta('', 'stop'));
  res.end('data: [DONE]\n\n');
}

/** Replies with the given pieces as a complete stream. */
function replyWith(pieces: readonly string[]): Handler {
  return (_req, res) => {
    sse(res);
    for (const p of pieces) res.write(delta(p));
    finish(res);
  };
}

function evidence(): Evidence[] {
  return [
    { videoId: 1, videoPath: '/media/colours.mp4', startedAt: null, start: 12, end: 20, score: 0.8312, thumbnail: thumbs.red, text: [{ channel: 'slide', text: 'EXIT sign', start: 14, end: 14 }] },
    { videoId: 1, videoPath: '/media/colours.mp4', startedAt: null, start: 3725, end: 3731, score: 0.4, thumbnail: thumbs.blue, text: [] },
  ];
}

function request(overrides: Partial<DecodeRequest> = {}): DecodeRequest {
  return {
    question: 'When is it red?',
    evidence: evidence(),
    wholeVideo: false,
    history: [
      { role: 'user', content: 'What colour comes first?' },
      { role: 'assistant', content: 'Red, at [00:00–00:06].' },
    ],
    ...overrides,
  };
}

function decoder(url: string, options: Partial<OpenAiChatOptions> = {}): OpenAiChatDecoder {
  return new OpenAiChatDecoder({ baseUrl: url, model: 'llava', images: true, timeoutMs: 2000, deadlineMs: 20_000, retries: 2, backoffMs: 20, ...options });
}

/** Resolves when the socket can take more, or the client hung up. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/**
 * Writes `total` bytes of `text` repeated, as fast as the client reads them (waiting for the
 * socket to drain); resolves with the bytes written once done or once the client hung up.
 */
async function pour(res: ServerResponse, total: number, text = 'x'): Promise<number> {
  const piece = Buffer.alloc(64 * 1024, text);
  let sent = 0;
  while (sent < total && !res.destroyed) {
    sent += piece.length;
    if (!res.write(piece)) await drained(res);
  }
  return sent;
}

/** Calls `send` every `ms` until the client hangs up or `stopAfterMs` passed; resolves then. */
function every(res: ServerResponse, ms: number, stopAfterMs: number, send: (n: number) => void): Promise<void> {
  return new Promise((resolve) => {
    let n = 0;
    const timer = setInterval(() => send(n++), ms);
    const stop = () => (clearInterval(timer), resolve());
    res.once('close', stop);
    setTimeout(stop, stopAfterMs);
  });
}

async function collect(stream: AsyncIterable<string>, into: string[] = []): Promise<string[]> {
  for await (const piece of stream) into.push(piece);
  return into;
}

/** The error a stream ends with, and how long it took to get there. */
async function failure(stream: AsyncIterable<string>, pieces: string[] = []): Promise<{ error: Error; ms: number }> {
  const t0 = performance.now();
  try {
    await collect(stream, pieces);
  } catch (error) {
    return { error: error as Error, ms: performance.now() - t0 };
  }
  throw new Error('the stream did not fail');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vidmem-llm-'));
  const solid = (r: number, g: number, b: number) => Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => [r, g, b][i % 3]!);
  thumbs = { red: join(dir, 'red.jpg'), blue: join(dir, 'blue.jpg') };
  writeFileSync(thumbs.red, await encodeJpeg(solid(255, 0, 0), 8, 8));
  writeFileSync(thumbs.blue, await encodeJpeg(solid(0, 0, 255), 8, 8));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  if (!server) return;
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
  server = undefined;
});

describe('OpenAI-compatible decoder', () => {
  it('yields the deltas as they arrive, in order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const llm = await fakeLlm(async (_req, res) => {
      sse(res);
      res.write(': keep-alive comment\n\n');
      res.write(delta('It is red '));
      // Everything after the first piece waits until the client has shown that it got it.
      await gate;
      res.write(delta('at [00:12'));
      res.write(delta('–00:20].'));
      res.write(delta('', 'stop'));
      res.end('data: [DONE]\n\n');
    });
    const pieces: string[] = [];
    for await (const piece of decoder(llm.url).answer(request())) {
      pieces.push(piece);
      if (pieces.length === 1) release();
    }
    expect(pieces).toEqual(['It is red ', 'at [00:12', '–00:20].']);
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]!.stream).toBe(true);
    expect(llm.requests[0]!.model).toBe('llava');
  });

  it('sends the question, the timestamped memories, the history and the keyframes as images', async () => {
    const llm = await fakeLlm(replyWith(['ok']));
    await collect(decoder(llm.url, { apiKey: 'sk-test' }).answer(request()));
    const { messages } = llm.requests[0]!;
    expect(llm.headers[0]!.authorization).toBe('Bearer sk-test');
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[0].content).toMatch(/cite .*\[mm:ss–mm:ss\]/);
    expect(messages[2].content).toBe('Red, at [00:00–00:06].');
    const parts = messages[3].content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
    const text = parts.find((p) => p.type === 'text')!.text!;
    expect(text).toContain('Question: When is it red?');
    expect(text).toContain('[00:12–00:20] colours.mp4 (video 1), relevance 0.83, keyframe: image 1');
    expect(text).toContain('[1:02:05–1:02:11] colours.mp4 (video 1), relevance 0.40, keyframe: image 2');
    expect(text).toContain('slide at [00:14]: "EXIT sign"');
    const images = parts.filter((p) => p.type === 'image_url').map((p) => p.image_url!.url);
    expect(images).toEqual([thumbs.red, thumbs.blue].map((f) => `data:image/jpeg;base64,${readFileSync(f).toString('base64')}`));
  });

  it('sends text only with images: false', async () => {
    const llm = await fakeLlm(replyWith(['ok']));
    await collect(decoder(llm.url, { images: false }).answer(request({ wholeVideo: true })));
    const user = llm.requests[0]!.messages.at(-1);
    expect(typeof user.content).toBe('string');
    expect(user.content).toContain('[00:12–00:20] colours.mp4');
    expect(user.content).toContain('about the whole video');
    expect(user.content).not.toContain('keyframe');
    expect(JSON.stringify(llm.requests[0])).not.toContain('image_url');
  });

  it('gives up with a clear line when the server never answers', async () => {
    const llm = await fakeLlm(() => {
      // Holds the request open without a byte of reply.
    });
    const { error, ms } = await failure(decoder(llm.url, { timeoutMs: 300 }).answer(request()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`the LLM at ${llm.url}/chat/completions did not answer within 0.3 s (VIDMEM_LLM_TIMEOUT sets the limit)`);
    expect(ms).toBeLessThan(1500);
    // A silent server is not retried: the user would wait several times the limit.
    expect(llm.requests).toHaveLength(1);
  });

  it('gives up when the reply stalls mid-stream, keeping what arrived', async () => {
    const llm = await fakeLlm((_req, res) => {
      sse(res);
      res.write(delta('It is'));
    });
    const pieces: string[] = [];
    const { error, ms } = await failure(decoder(llm.url, { timeoutMs: 300 }).answer(request()), pieces);
    expect(pieces).toEqual(['It is']);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/stopped sending for 0\.3 s mid-answer \(VIDMEM_LLM_TIMEOUT sets the limit\)$/);
    expect(ms).toBeLessThan(1500);
    expect(llm.requests).toHaveLength(1);
  });

  it('retries 5xx and 429, then answers', async () => {
    let calls = 0;
    const llm = await fakeLlm((req, res, body) => {
      calls++;
      if (calls === 1) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"loading model"}}');
      } else if (calls === 2) {
        res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      } else {
        replyWith(['red at ', '[00:12–00:20]'])(req, res, body);
      }
    });
    expect((await collect(decoder(llm.url).answer(request()))).join('')).toBe('red at [00:12–00:20]');
    expect(llm.requests).toHaveLength(3);
  });

  it('stops retrying after the bounded number of attempts', async () => {
    const llm = await fakeLlm((_req, res) => {
      res.writeHead(500).end('{"error":"CUDA out of memory"}');
    });
    const { error } = await failure(decoder(llm.url, { retries: 2 }).answer(request()));
    expect(error.message).toBe(`the LLM at ${llm.url}/chat/completions failed: HTTP 500: CUDA out of memory (gave up after 3 attempts)`);
    expect(llm.requests).toHaveLength(3);
  });

  it('surfaces a 4xx with its status and the server message, without retrying', async () => {
    const llm = await fakeLlm((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'model "llava" not found, try pulling it first', type: 'api_error' } }));
    });
    const { error } = await failure(decoder(llm.url).answer(request()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`the LLM at ${llm.url}/chat/completions rejected the request: HTTP 404: model "llava" not found, try pulling it first`);
    expect(llm.requests).toHaveLength(1);
  });

  it('does not retry once text was streamed', async () => {
    const llm = await fakeLlm((_req, res) => {
      sse(res);
      res.write(delta('It is'));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const pieces: string[] = [];
    const { error } = await failure(decoder(llm.url).answer(request()), pieces);
    expect(pieces).toEqual(['It is']);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/broke off mid-answer/);
    expect(llm.requests).toHaveLength(1);
  });

  it('says so in one line when nothing listens at the URL', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const url = `http://127.0.0.1:${port}/v1`;
    const { error, ms } = await failure(decoder(url, { retries: 1 }).answer(request()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`cannot reach the LLM at ${url}/chat/completions: connection refused (gave up after 2 attempts)`);
    expect(ms).toBeLessThan(2000);
  });
});

describe('OpenAI-compatible decoder against servers that misbehave', () => {
  it('gives up after the idle timeout when the server sends only keep-alives', async () => {
    const llm = await fakeLlm(async (_req, res) => {
      sse(res);
      // Comments and events without data, as a proxy or a server still loading the model sends them; long after, an answer.
      await every(res, 50, 3000, (n) => res.write(n % 2 ? ': keepalive\n\n' : 'event: ping\n\n'));
      res.write(delta('too late'));
      finish(res);
    });
    const { error, ms } = await failure(decoder(llm.url, { timeoutMs: 500, retries: 0 }).answer(request()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`the LLM at ${llm.url}/chat/completions sent only keep-alives for 0.5 s (VIDMEM_LLM_TIMEOUT sets the limit)`);
    expect(ms).toBeLessThan(2500);
  });

  it('ends an answer at the deadline even while content keeps trickling in', async () => {
    const llm = await fakeLlm(async (_req, res) => {
      sse(res);
      await every(res, 100, 3000, () => res.write(delta('la ')));
      finish(res);
    });
    const pieces: string[] = [];
    const { error, ms } = await failure(decoder(llm.url, { timeoutMs: 2000, deadlineMs: 600 }).answer(request()), pieces);
    expect(pieces.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`the LLM at ${llm.url}/chat/completions did not finish its answer within 0.6 s (VIDMEM_LLM_DEADLINE sets the limit)`);
    expect(ms).toBeLessThan(2500);
    expect(llm.requests).toHaveLength(1);
  });

  it('counts retries and their pauses against the deadline', async () => {
    const llm = await fakeLlm((_req, res) => {
      res.writeHead(503, { 'retry-after': '30' }).end('{"error":"loading model"}');
    });
    const { error, ms } = await failure(decoder(llm.url, { deadlineMs: 600 }).answer(request()));
    expect(error.message).toBe(`the LLM at ${llm.url}/chat/completions did not finish its answer within 0.6 s (VIDMEM_LLM_DEADLINE sets the limit)`);
    expect(ms).toBeLessThan(2500);
  });

  it('refuses a stream line over 1 MiB before it ends, with memory bounded', async () => {
    const llm = await fakeLlm(async (_req, res) => {
      sse(res);
      res.write('data: {"choices":[{"delta":{"content":"');
      // 8 MiB of one line whose end never comes.
      await pour(res, 8 * 2 ** 20);
    });
    const rss = process.memoryUsage().rss;
    const { error } = await failure(decoder(llm.url).answer(request()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`the LLM at ${llm.url}/chat/completions sent an event over 1 MiB, more than vidmem accepts`);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 2 ** 20);
    expect(LLM_READ_LIMITS.eventBytes).toBe(2 ** 20);
  });

  it('stops reading a stream past 32 MiB', async () => {
    const content = 'x'.repeat(256 * 1024);
    const llm = await fakeLlm(async (_req, res) => {
      sse(res);
      for (let i = 0; i < 160 && !res.destroyed; i++) {
        if (!res.write(delta(content))) await drained(res);
      }
      finish(res);
    });
    const pieces: string[] = [];
    const { error } = await failure(decoder(llm.url).answer(request()), pieces);
    expect(error.message).toBe(`the LLM at ${llm.url}/chat/completions sent over 32 MiB in one streamed reply, more than vidmem accepts`);
    expect(pieces.length * content.length).toBeLessThanOrEqual(LLM_READ_LIMITS.streamBytes);
    expect(llm.requests).toHaveLength(1);
  });

  it('refuses a reply that is not streamed over 4 MiB', async () => {
    const llm = await fakeLlm((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { content: 'x'.repeat(5 * 2 ** 20) }, finish_reason: 'stop' }] }));
    });
    const { error } = await failure(decoder(llm.url).answer(request()));
    expect(error.message).toBe(`the LLM at ${llm.url}/chat/completions sent a reply over 4 MiB, more than vidmem accepts`);
  });

  it('quotes the start of a huge error body in one line, reading no more of it', async () => {
    const total = 64 * 2 ** 20;
    let sent!: Promise<number>;
    const llm = await fakeLlm((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/html' });
      res.write('<html><body><h1>400 Request Header Or Cookie Too Large</h1>\n');
      sent = pour(res, total, 'padding ');
    });
    const { error } = await failure(decoder(llm.url).answer(request()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(new RegExp(`^the LLM at ${llm.url}/chat/completions rejected the request: HTTP 400: <html><body><h1>400 Request Header Or Cookie Too Large</h1> padding padding .*…$`));
    expect(error.message.length).toBeLessThan(500);
    // The client hung up long before the server could send it all.
    expect(await sent).toBeLessThan(total / 2);
    expect(llm.requests).toHaveLength(1);
  });

  it('says which port fetch refuses to connect to', async () => {
    const url = 'http://127.0.0.1:6000/v1';
    const { error } = await failure(decoder(url).answer(request()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      `cannot reach the LLM at ${url}/chat/completions: port 6000 is one that fetch refuses to connect to (unsafe port); use another port`,
    );
  });

  it('says in one line that an https URL names a server that speaks plain http', async () => {
    const llm = await fakeLlm(replyWith(['ok']));
    const url = llm.url.replace(/^http:/, 'https:');
    const { error } = await failure(decoder(url).answer(request()));
    expect(error.message).toBe(`cannot reach the LLM at ${url}/chat/completions: it does not speak TLS (try http:// instead of https://)`);
  });
});

describe('chooseDecoder', () => {
  it('answers with the built-in answerer without a URL, and --llm wins over the environment', async () => {
    expect((await chooseDecoder({}, readConfig({}).llm)).name).toBe('grounded');
    const env = { VIDMEM_LLM_URL: 'http://a:1/v1', VIDMEM_LLM_MODEL: 'qwen2.5vl', VIDMEM_LLM_API_KEY: 'k', VIDMEM_LLM_TIMEOUT: '30' };
    const decoder = await chooseDecoder({ llm: 'http://b:2/v1', images: false }, readConfig(env).llm);
    expect(decoder).toBeInstanceOf(OpenAiChatDecoder);
    expect(decoder.name).toBe('qwen2.5vl at http://b:2/v1');
  });

  it('refuses a missing model or a bad URL in one line', async () => {
    await expect(chooseDecoder({ llm: 'http://b:2/v1' }, readConfig({}).llm)).rejects.toThrow(/set VIDMEM_LLM_MODEL/);
    await expect(chooseDecoder({ llm: 'localhost:11434' }, readConfig({ VIDMEM_LLM_MODEL: 'm' }).llm)).rejects.toThrow(UserError);
  });
});
