/**
 * npm run bench:query — question answering at scale, in one run:
 *   1. selection latency (question vector → selected memories) in real stores of 10k, 100k and 1M
 *      synthetic clips, and `ask` end to end with the built-in answerer at 100k clips;
 *   2. the needle-in-a-haystack suite: a generated hour with 24 needles, Recall@1/@5 of each
 *      needle's time range with and without memory tokens, adaptive selection vs a fixed top-4.
 *
 * Options: --sizes 10000,100000,1000000 (none: no latency part)  --max-build-sec 600 (per store; a
 *          cut build says so)  --queries 1000  --needles 24 (0: no needle suite)
 *          --reuse (keep stores built by an earlier run)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lastValueFrom, toArray } from 'rxjs';
import { openVidmem } from '../../pipelines/vidmem.js';
import { readConfig } from '../../src/core/config.js';
import { PALETTE_DIM } from '../../models/builtin/palette-space.js';
import type { ModelIdentity } from '../../src/core/model-identity.js';
import type { TextEncoder } from '../../src/core/ports/encoders.js';
import { selectMemories } from '../../src/selection/select-memories.js';
import { DEFAULT_SELECT } from '../../src/selection/select-options.js';
import { MemoryStore } from '../../storage/memory-store.js';
import { HAYSTACK_SECONDS, ingestHaystack, makeHaystack, measureRecall } from './haystack.js';
import { openText } from '../helpers/models.js';
import { buildSyntheticStore, questionBank, type BuiltStore } from './synthetic-store.js';
import { count, ms, percentile, table, wholeNumbers } from './figures.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const WORK = join(tmpdir(), 'vidmem-bench-query');
const ASK_AT = 100_000;
// Enough for V8 to have optimized the selection code: the first ~70 questions run slower while it does.
const WARMUP = 200;

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    'max-build-sec': { type: 'string', default: '600' },
    queries: { type: 'string', default: '1000' },
    needles: { type: 'string', default: '24' },
    reuse: { type: 'boolean', default: false },
  },
});
const sizes = wholeNumbers('sizes', flags.sizes, 1);
const [queries = 1000] = wholeNumbers('queries', flags.queries, 1);
const [needleCount = 24] = wholeNumbers('needles', flags.needles, 0);
const [maxBuildSec = 600] = wholeNumbers('max-build-sec', flags['max-build-sec'], 1);

/**
 * Reads a file once so that the OS page cache holds it, as it holds the store of a process that
 * answers questions all day; otherwise the first store measured after building a larger one is
 * read from disk and its p99 is the disk's.
 */
function warmPageCache(file: string): void {
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    while (readSync(fd, chunk, 0, chunk.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

interface LatencyRow {
  readonly built: BuiltStore;
  readonly openSec: number;
  readonly p50: number;
  readonly p99: number;
  /** Asked about one video of the store. */
  readonly videoP50: number;
  readonly videoP99: number;
  readonly moments: number;
  readonly tokens: number;
  readonly rssMb: number;
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const text = await openText('palette');
  const bank = questionBank();
  const vectors = await text.encodeTexts(bank);
  process.stdout.write(`vidmem bench:query — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n\n`);

  const latency: LatencyRow[] = [];
  const ask: { p50: number; p99: number; cli: number[] } = { p50: NaN, p99: NaN, cli: [] };
  for (const size of sizes) {
    process.stderr.write(`building a store of ${count(size)} synthetic clips…\n`);
    const built = buildSyntheticStore(join(WORK, `synthetic-${size}`), size, text.identity, {
      maxSeconds: maxBuildSec, reuse: flags.reuse, seed: size,
    });
    // Building leaves garbage behind; collecting it now keeps it out of the latencies (the script runs with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    warmPageCache(join(built.dir, 'vidmem.db'));
    const opened = performance.now();
    const store = MemoryStore.open(built.dir, { create: false, readonly: true });
    try {
      // The first question pays for reading (and checking) the persisted index.
      selectMemories(store.videos, { text: bank[0]!, vector: vectors[0]! });
      const openSec = (performance.now() - opened) / 1000;
      const times: number[] = [];
      const videoTimes: number[] = [];
      let moments = 0;
      let tokens = 0;
      for (let q = 0; q < WARMUP + queries; q++) {
        const i = (q * 7919) % bank.length;
        const t0 = performance.now();
        const selection = selectMemories(store.videos, { text: bank[i]!, vector: vectors[i]! }, DEFAULT_SELECT);
        const t1 = performance.now();
        // The same question about one video (`--video`), a different one each time.
        selectMemories(store.videos, { text: bank[i]!, vector: vectors[i]! }, { ...DEFAULT_SELECT, videoId: 1 + (q % built.videos) });
        const t2 = performance.now();
        if (q < WARMUP) continue;
        times.push(t1 - t0);
        videoTimes.push(t2 - t1);
        moments += selection.selected.length;
        tokens += selection.tokensUsed;
      }
      times.sort((a, b) => a - b);
      videoTimes.sort((a, b) => a - b);
      latency.push({
        built, openSec, p50: percentile(times, 0.5), p99: percentile(times, 0.99),
        videoP50: percentile(videoTimes, 0.5), videoP99: percentile(videoTimes, 0.99),
        moments: moments / queries, tokens: tokens / queries, rssMb: process.memoryUsage().rss / 2 ** 20,
      });

    } finally {
      store.close();
    }
    if (size === ASK_AT) {
      // Through the application object, as every front end asks: the built-in answerer, the store's model.
      const app = openVidmem(built.dir, { access: 'read', config: { ...readConfig(), llm: { timeoutMs: 1000, deadlineMs: 1000 } } });
      try {
        const askTimes: number[] = [];
        for (let q = 0; q < WARMUP + queries; q++) {
          const t0 = performance.now();
          await lastValueFrom(app.ask(bank[(q * 7919) % bank.length]!).pipe(toArray()));
          if (q >= WARMUP) askTimes.push(performance.now() - t0);
        }
        askTimes.sort((a, b) => a - b);
        ask.p50 = percentile(askTimes, 0.5);
        ask.p99 = percentile(askTimes, 0.99);
      } finally {
        await app.close();
      }
    }
    if (size === ASK_AT) {
      for (let run = 0; run < 3; run++) {
        const t0 = performance.now();
        const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'vidmem.js'), 'ask', 'red on the left', '--store', built.dir, '--json']);
        if (cli.status !== 0) throw new Error(`vidmem ask failed: ${cli.stderr.toString()}`);
        ask.cli.push(performance.now() - t0);
      }
      ask.cli.sort((a, b) => a - b);
    }
  }

  if (latency.length > 0) {
    process.stdout.write(
      `Selection latency: question vector → selected memories (${DEFAULT_SELECT.indexHits} HNSW hits thinned to ` +
        `${DEFAULT_SELECT.candidates} distinct candidates, their memory tokens read and scored, memory pointers followed, ` +
        `temporal NMS, softmax mass ${DEFAULT_SELECT.mass}, budget ${DEFAULT_SELECT.budget} tokens).\n` +
        `Synthetic clips: ${PALETTE_DIM}-d palette-space vectors, 8 memory tokens each, 900 clips (1 h) per video, written through ` +
        `MemoryStore.appendClip with the store's own HNSW settings. ${count(queries)} questions after ${WARMUP} warm-up; the database read once beforehand, so the OS page cache holds it. ` +
        `One video: each question asked again about one of the videos (\`--video\`), a different one each time; its clips are scored exactly instead of through the index.\n`,
    );
    process.stdout.write(
      `${table(
        ['clips', 'videos', 'build (SQLite + HNSW)', 'open + index load', 'p50', 'p99', 'moments', 'tokens', 'one video: p50', 'p99', 'rss'],
        latency.map((r) => [
          r.built.cut ? `${count(r.built.clips)} (cut at ${count(r.built.requested)} asked)` : count(r.built.clips),
          count(r.built.videos),
          `${r.built.buildSec.toFixed(1)} s${r.built.cut ? ' (time limit)' : ''}`,
          `${r.openSec.toFixed(2)} s`,
          ms(r.p50),
          ms(r.p99),
          r.moments.toFixed(1),
          r.tokens.toFixed(1),
          ms(r.videoP50),
          ms(r.videoP99),
          `${r.rssMb.toFixed(0)} MB`,
        ]),
      )}\n`,
    );
    process.stdout.write('Targets at 1M clips: p50 ≤ 2 ms, p99 ≤ 10 ms.\n\n');
  }
  if (ask.cli.length > 0) {
    process.stdout.write(
      `ask end to end at ${count(ASK_AT)} clips, built-in answerer (encode question + select + answer), in process: ` +
        `p50 ${ms(ask.p50)}, p99 ${ms(ask.p99)} (target ≤ 50 ms)\n` +
        `  as a new command-line process (Node start, model load, index load included): median ${ms(ask.cli[1])}\n\n`,
    );
  }

  startUp(text.identity);
  if (needleCount > 0) await needleSuite(text);
  await text.dispose();
}

/**
 * How fast the command line starts, side by side with Node itself: `--help` loads no more than
 * the command definitions, `search` on a small store only what a search needs. Medians of 10
 * runs each, after one that fills the OS cache.
 */
function startUp(model: ModelIdentity): void {
  const small = buildSyntheticStore(join(WORK, 'startup-1000'), 1000, model, { maxSeconds: 60, reuse: true, seed: 1000 });
  const bin = join(ROOT, 'bin', 'vidmem.js');
  const median = (args: readonly string[]): number => {
    const times: number[] = [];
    for (let run = 0; run <= 10; run++) {
      const t0 = performance.now();
      const child = spawnSync(process.execPath, args);
      if (child.status !== 0) throw new Error(`${args.join(' ')} failed: ${child.stderr.toString()}`);
      if (run > 0) times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[5]!;
  };
  const node = median(['-e', '0']);
  const help = median([bin, '--help']);
  const search = median([bin, 'search', 'red on the left', '--store', small.dir]);
  process.stdout.write(
    `Command-line start-up, median of 10 new processes: node -e 0 ${ms(node)}; vidmem --help ${ms(help)} (${(help / node).toFixed(2)}× node, target ≤ 1.5×); ` +
      `vidmem search on a ${count(small.clips)}-clip store ${ms(search)} (${(search / node).toFixed(2)}× node, target ≤ 3×)\n\n`,
  );
}

async function needleSuite(text: TextEncoder): Promise<void> {
  process.stderr.write(`rendering and ingesting the ${HAYSTACK_SECONDS / 60}-minute haystack with ${needleCount} needles…\n`);
  const haystackDir = join(WORK, 'haystack');
  mkdirSync(haystackDir, { recursive: true });
  const haystack = await makeHaystack(haystackDir, needleCount, 4);
  const storeDir = join(haystackDir, 'store');
  const isolatedDir = join(haystackDir, 'store-no-propagation');
  rmSync(storeDir, { recursive: true, force: true });
  rmSync(isolatedDir, { recursive: true, force: true });
  const ingested = await ingestHaystack(haystack, storeDir);
  await ingestHaystack(haystack, isolatedDir, false);
  const store = MemoryStore.open(storeDir, { create: false, readonly: true });
  const isolated = MemoryStore.open(isolatedDir, { create: false, readonly: true });
  try {
    // The same video distilled without carrying memory forward: what propagation adds.
    const withoutPropagation = (await measureRecall(haystack, isolated, text))
      .filter((r) => r.scoring.includes('memory'))
      .map((r) => ({ ...r, scoring: `${r.scoring}, no propagation` }));
    const rows = [...(await measureRecall(haystack, store, text)), ...withoutPropagation];
    const lengths = haystack.needles.map((n) => n.end - n.start);
    process.stdout.write(
      `Needle in a haystack: ${HAYSTACK_SECONDS / 60} min at 160×120, ${needleCount} needles of ${Math.min(...lengths)}–${Math.max(...lengths)} s ` +
        `(a colour in one half, black or white in the other) on full-frame colours changing every 1–4 min; ` +
        `${ingested.clips} clips ingested in ${ingested.wallSec.toFixed(1)} s. One palette question per needle ` +
        `("red on the left"), its colour-and-place shown by no other needle; a moment hits when its time range overlaps the needle's. ` +
        `Fixed top-4 has 4 moments, so its Recall@5 is its Recall@4. Mean span: the length of the moments given as evidence.\n`,
    );
    process.stdout.write(
      `${table(
        ['scoring', 'selection', 'Recall@1', 'Recall@5', 'moments', 'tokens', 'mean span'],
        rows.map((r) => [
          r.scoring, r.selection, r.recallAt1.toFixed(3), r.recallAt5.toFixed(3), r.moments.toFixed(2), r.tokens.toFixed(1), `${r.spanSec.toFixed(1)} s`,
        ]),
      )}\n`,
    );
  } finally {
    store.close();
    isolated.close();
  }
}

await main();
