/**
 * npm run bench:serve — `vidmem serve` over real HTTP on 127.0.0.1, the server a process of its
 * own as a user starts it, the load from this process (autocannon):
 *   1. GET /api/search and POST /api/ask (one JSON answer, built-in answerer) at 1, 8 and 32
 *      concurrent connections, a fixed time each after a warm-up: p50 / p99 latency, requests/s;
 *      every request asks another question of the bank the query bench asks; GET /openapi.json
 *      beside them, the floor of what HTTP costs on the machine;
 *   2. an answer streamed as server-sent events: time to its first `text` event and to `done`;
 *   3. the server's resident memory (VmRSS, peak VmHWM) idle after start and after the load.
 * A response that is not 2xx, a connection error or an event stream's `error` stops the run.
 *
 * Options: --clips 100000 (the synthetic store's size)  --seconds 5 (per cell)  --streams 50
 *          --reuse (keep the store built by an earlier run)  --screenshot PATH (the web page, in
 *          Chromium at /usr/bin/chromium, after a search and a question: a PNG)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { memoryMb, ROOT } from './child-process.js';
import { count, ms, percentile, table, wholeNumbers } from './figures.js';
import { buildSyntheticStore, questionBank } from './synthetic-store.js';
import { openText } from '../helpers/models.js';

const WORK = join(tmpdir(), 'vidmem-bench-serve');
const CONNECTIONS = [1, 8, 32];
const WARMUP_SEC = 2;
const STREAM_WARMUP = 5;
const TARGET_SEARCH_P99_MS = 20;
const TARGET_AT = 8;

const { values: flags } = parseArgs({
  options: {
    clips: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '5' },
    streams: { type: 'string', default: '50' },
    reuse: { type: 'boolean', default: false },
    screenshot: { type: 'string' },
  },
});
const [clips = 100_000] = wholeNumbers('clips', flags.clips, 1);
const [seconds = 5] = wholeNumbers('seconds', flags.seconds, 1);
const [streams = 50] = wholeNumbers('streams', flags.streams, 1);

const bank = questionBank();
let asked = 0;
/** The next question: a different one each request, in an order that is not the bank's. */
const nextQuestion = (): string => bank[(asked++ * 7919) % bank.length]!;

interface Endpoint {
  readonly name: string;
  readonly request: (question: string) => { method: string; path: string; headers?: Record<string, string>; body?: string };
  /** Whether a 200's body is an answer worth its name; checked on a first request before any load. */
  readonly valid: (body: unknown) => boolean;
}

const SEARCH = 'GET /api/search';
const ENDPOINTS: readonly Endpoint[] = [
  {
    // What HTTP, Fastify and the machine cost by themselves: a reply made once, that reads nothing of the store.
    name: 'GET /openapi.json (floor)',
    request: () => ({ method: 'GET', path: '/openapi.json' }),
    valid: (body) => typeof (body as { paths?: unknown }).paths === 'object',
  },
  {
    name: SEARCH,
    request: (q) => ({ method: 'GET', path: `/api/search?${new URLSearchParams({ q })}` }),
    valid: (body) => ((body as { results?: unknown[] }).results?.length ?? 0) > 0,
  },
  {
    name: 'POST /api/ask (JSON)',
    request: (question) => ({ method: 'POST', path: '/api/ask', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ question }) }),
    valid: (body) => typeof (body as { answer?: unknown }).answer === 'string' && ((body as { evidence?: unknown[] }).evidence?.length ?? 0) > 0,
  },
];

interface Server {
  readonly child: ChildProcess;
  readonly origin: string;
  readonly closed: Promise<number | null>;
}

/** `vidmem serve --port 0` in a process of its own; resolves with its address once it listens. */
function startServer(store: string): Promise<Server> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'vidmem.js'), 'serve', '--store', store, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const closed = new Promise<number | null>((resolveClosed) => child.on('close', (code) => resolveClosed(code)));
  // A bench stopped by Ctrl-C, a signal or an uncaught error stops its server too.
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  return new Promise((resolveStarted, reject) => {
    let stderr = '';
    let started = false;
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      // Once it listens, what the server says (an internal error, stopping) goes to the bench's stderr.
      if (started) return void process.stderr.write(s);
      stderr += s;
      const origin = /serving .* at (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr)?.[1];
      if (origin) {
        started = true;
        resolveStarted({ child, origin, closed });
      }
    });
    child.on('error', reject);
    void closed.then((code) => reject(new Error(`vidmem serve ended (${code}) before it listened: ${stderr}`)));
  });
}

/** SIGTERM, and SIGKILL if it has not stopped 10 s later (which the run then reports as a failure). */
async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  const code = await server.closed;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`vidmem serve exited ${code ?? server.child.signalCode} on SIGTERM`);
}

/** One request through fetch, refused unless it is a 200 with a valid body. */
async function check(origin: string, endpoint: Endpoint): Promise<void> {
  const { method, path, headers, body } = endpoint.request(nextQuestion());
  const response = await fetch(origin + path, { method, ...(headers ? { headers } : {}), ...(body ? { body } : {}) });
  const text = await response.text();
  if (response.status !== 200 || !endpoint.valid(JSON.parse(text))) throw new Error(`${endpoint.name}: ${response.status} ${text.slice(0, 500)}`);
}

interface Cell {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
  readonly requests: number;
}

/** `connections` clients asking one after another for `duration` s; latencies as measured by autocannon per response, in ms to the microsecond. */
async function load(origin: string, endpoint: Endpoint, connections: number, duration: number): Promise<Cell> {
  const latencies: number[] = [];
  const refused = new Map<number, number>();
  const errors: string[] = [];
  const instance = autocannon({
    url: origin, connections, duration, timeout: 30,
    requests: [{ setupRequest: (request) => ({ ...request, ...endpoint.request(nextQuestion()) }) }],
  });
  instance.on('response', (_client, status, _bytes, time) => {
    if (status >= 200 && status < 300) latencies.push(time);
    else refused.set(status, (refused.get(status) ?? 0) + 1);
  });
  instance.on('reqError', (error) => errors.push(error.message));
  const result = await instance;
  if (refused.size > 0 || result.non2xx > 0 || result.errors > 0 || errors.length > 0) {
    const statuses = [...refused].map(([status, n]) => `${n} × ${status}`).join(', ');
    throw new Error(`${endpoint.name} at ${connections} connections: ${statuses || `${result.non2xx} non-2xx`}; ${result.errors} errors (${result.timeouts} timeouts) ${errors.slice(0, 3).join('; ')}`);
  }
  if (latencies.length === 0) throw new Error(`${endpoint.name} at ${connections} connections: no response in ${duration} s`);
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), perSecond: latencies.length / result.duration, requests: latencies.length };
}

/** One answer as server-sent events: ms from sending the request to the first `text` event and to `done`. */
async function streamed(origin: string): Promise<{ first: number; done: number }> {
  const t0 = performance.now();
  const response = await fetch(`${origin}/api/ask`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ question: nextQuestion() }),
  });
  if (response.status !== 200 || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
    throw new Error(`POST /api/ask (events): ${response.status} ${response.headers.get('content-type')} ${(await response.text()).slice(0, 500)}`);
  }
  const decoder = new TextDecoder();
  let buffered = '';
  let first = NaN;
  for await (const chunk of response.body!) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      if (event === 'error') throw new Error(`POST /api/ask (events): ${block}`);
      if (event === 'text' && Number.isNaN(first)) first = performance.now() - t0;
      if (event === 'done') {
        const done = performance.now() - t0;
        if (Number.isNaN(first)) throw new Error('POST /api/ask (events): done without a text event');
        // Leaving the loop cancels the rest of the body.
        return { first, done };
      }
    }
  }
  throw new Error('POST /api/ask (events): the stream ended without done');
}

/** The web page after a search and a question in the chat, as a PNG at 1280×800. */
async function screenshot(origin: string, file: string): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(origin);
    await page.locator('#library .video').first().waitFor();
    await page.fill('#q', 'red on the left');
    await page.press('#q', 'Enter');
    await page.locator('#results .card').first().waitFor();
    await page.fill('#question', 'when is there red on the left?');
    await page.press('#question', 'Enter');
    await page.locator('#turns .answer:not([aria-busy]) a.cite').first().waitFor();
    mkdirSync(dirname(file), { recursive: true });
    await page.screenshot({ path: file });
    // A page that never drew (a blank or one-colour picture) is refused.
    const { channels } = await sharp(file).stats();
    if (!channels.some((c) => c.max > c.min)) throw new Error(`the screenshot ${file} is a single colour`);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const text = await openText('palette');
  const model = text.identity;
  await text.dispose();
  process.stderr.write(`building a store of ${count(clips)} synthetic clips…\n`);
  const built = buildSyntheticStore(join(WORK, `synthetic-${clips}`), clips, model, { maxSeconds: 600, reuse: flags.reuse, seed: clips });
  if (built.cut) throw new Error(`the store's build stopped at ${count(built.clips)} of ${count(clips)} clips (10 minutes): ask for fewer with --clips`);

  // Other work on the machine shows in every figure: the load average says how much there was.
  const load1 = loadavg()[0]!;
  const server = await startServer(built.dir);
  try {
    // Once the start-up's garbage has settled; no request has been made yet.
    await new Promise((r) => setTimeout(r, 1000));
    const idle = memoryMb(server.child.pid!);
    const rows: string[][] = [];
    let atTarget: Cell | undefined;
    for (const endpoint of ENDPOINTS) {
      await check(server.origin, endpoint);
      process.stderr.write(`${endpoint.name}: warming up ${WARMUP_SEC} s, then ${seconds} s at each of ${CONNECTIONS.join(', ')} connections…\n`);
      await load(server.origin, endpoint, TARGET_AT, WARMUP_SEC);
      for (const connections of CONNECTIONS) {
        const cell = await load(server.origin, endpoint, connections, seconds);
        if (endpoint.name === SEARCH && connections === TARGET_AT) atTarget = cell;
        rows.push([endpoint.name, String(connections), count(cell.requests), ms(cell.p50), ms(cell.p99), cell.perSecond.toFixed(0)]);
      }
    }

    process.stderr.write(`streaming ${streams} answers one after another…\n`);
    const firsts: number[] = [];
    const dones: number[] = [];
    for (let i = 0; i < STREAM_WARMUP + streams; i++) {
      const { first, done } = await streamed(server.origin);
      if (i < STREAM_WARMUP) continue;
      firsts.push(first);
      dones.push(done);
    }
    firsts.sort((a, b) => a - b);
    dones.sort((a, b) => a - b);
    const loaded = memoryMb(server.child.pid!);

    process.stdout.write(
      `vidmem bench:serve — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${load1.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end\n\n` +
        `vidmem serve on 127.0.0.1 (a process of its own) over a store of ${count(built.clips)} synthetic clips in ${count(built.videos)} videos ` +
        `(the query bench's: 48-d palette vectors, 8 memory tokens a clip), loaded by autocannon from another process. ` +
        `Each cell ${seconds} s, after ${WARMUP_SEC} s of warm-up at ${TARGET_AT} connections per endpoint; every request another of ${bank.length} questions; ` +
        `ask with the built-in answerer, one JSON answer a request. Latency from request to the whole response.\n`,
    );
    process.stdout.write(`${table(['endpoint', 'connections', 'requests', 'p50', 'p99', 'requests/s'], rows)}\n`);
    const pass = atTarget!.p99 <= TARGET_SEARCH_P99_MS;
    process.stdout.write(`Target: search p99 ≤ ${TARGET_SEARCH_P99_MS} ms at ${TARGET_AT} concurrent clients: ${ms(atTarget!.p99)} ${pass ? 'PASS' : 'MISS'}\n\n`);
    process.stdout.write(
      `Streamed answers (POST /api/ask, Accept: text/event-stream), ${streams} one after another after ${STREAM_WARMUP}: ` +
        `first text event p50 ${ms(percentile(firsts, 0.5))}, p90 ${ms(percentile(firsts, 0.9))}; ` +
        `done p50 ${ms(percentile(dones, 0.5))}, p90 ${ms(percentile(dones, 0.9))}\n`,
    );
    process.stdout.write(
      `Server memory: idle after start VmRSS ${idle.rssMb.toFixed(0)} MB (peak ${idle.peakMb.toFixed(0)} MB); ` +
        `after the load VmRSS ${loaded.rssMb.toFixed(0)} MB (peak VmHWM ${loaded.peakMb.toFixed(0)} MB)\n`,
    );
    if (flags.screenshot) {
      const file = resolve(flags.screenshot);
      await screenshot(server.origin, file);
      process.stdout.write(`The web page after a search and a question: ${file}\n`);
    }
  } finally {
    await stopServer(server);
  }
}

await main();
