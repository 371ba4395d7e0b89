/**
 * Stores of synthetic clips for selection benchmarks, written through the store API. The vectors
 * live in the built-in palette model's 48-d space and look like what it makes of coloured scenes
 * (full-frame colours and two-colour splits), so real palette questions get realistic score spreads.
 * Videos are one hour of 4 s clips; scenes last 1–30 clips; each clip's 8 memory tokens are its
 * scene so far plus the 7 scenes before it, as a propagated memory would hold them.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PALETTE_COLOURS, PALETTE_DIM, PALETTE_REGIONS, paletteIndex, type PaletteColour, type PaletteRegion } from '../../models/builtin/palette-space.js';
import type { ModelIdentity } from '../../src/core/model-identity.js';
import type { MemoryToken } from '../../src/core/clips.js';
import { normalize } from '../../src/core/vector-math.js';
import { MemoryStore } from '../../storage/memory-store.js';
import { seededRandom } from '../../src/core/seeded-random.js';

export const CLIP_SECONDS = 4;
export const CLIPS_PER_VIDEO = 900;
const TOKENS = 8;

export interface BuiltStore {
  readonly dir: string;
  readonly clips: number;
  readonly videos: number;
  /** Appending every clip (SQLite rows and HNSW inserts) and persisting the index. */
  readonly buildSec: number;
  /** True when the time limit stopped the build before `requested` clips. */
  readonly cut: boolean;
  readonly requested: number;
}

/** How much of each region a colour covers in a full frame, a left/right or a top/bottom split. */
function coverage(layout: readonly [PaletteColour, PaletteColour], split: 'left-right' | 'top-bottom'): Float32Array {
  const [first, second] = layout;
  const v = new Float32Array(PALETTE_DIM);
  const halves: Record<'left-right' | 'top-bottom', [PaletteRegion, PaletteRegion]> = {
    'left-right': ['left', 'right'],
    'top-bottom': ['top', 'bottom'],
  };
  const [a, b] = halves[split];
  for (const region of PALETTE_REGIONS) {
    if (region === a) v[paletteIndex(first, region)] += 1;
    else if (region === b) v[paletteIndex(second, region)] += 1;
    else {
      v[paletteIndex(first, region)] += 0.5;
      v[paletteIndex(second, region)] += 0.5;
    }
  }
  return v;
}

function randomScene(random: () => number): Float32Array {
  const colour = (): PaletteColour => PALETTE_COLOURS[Math.floor(random() * PALETTE_COLOURS.length)].name;
  // Same colour twice is a full frame.
  const v = coverage([colour(), colour()], random() < 0.5 ? 'left-right' : 'top-bottom');
  return jitter(v, random, 0.1);
}

/** Compression and lighting: a little membership in a few other cells. */
function jitter(v: Float32Array, random: () => number, amount: number): Float32Array {
  const out = Float32Array.from(v);
  for (let k = 0; k < 4; k++) out[Math.floor(random() * PALETTE_DIM)] += random() * amount;
  return normalize(out);
}

interface Scene {
  readonly vector: Float32Array;
  readonly start: number;
  end: number;
}

function readMeta(file: string): BuiltStore | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BuiltStore;
  } catch {
    return null;
  }
}

/**
 * Builds (or, with `reuse`, finds from an earlier run) a store of `clips` synthetic clips. The
 * build stops at `maxSeconds`, keeping what it reached. Progress goes to stderr.
 */
export function buildSyntheticStore(
  dir: string,
  clips: number,
  model: ModelIdentity,
  options: { readonly maxSeconds: number; readonly reuse: boolean; readonly seed: number },
): BuiltStore {
  const metaFile = join(dir, 'bench.json');
  const earlier = options.reuse && existsSync(metaFile) ? readMeta(metaFile) : null;
  if (earlier && earlier.requested === clips) return earlier;
  rmSync(dir, { recursive: true, force: true });
  const random = seededRandom(options.seed);
  const store = MemoryStore.open(dir);
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  let written = 0;
  const videoIds: number[] = [];
  try {
    store.bindModel(model);
    let memory: Scene[] = [];
    let sceneLeft = 0;
    let lastReport = 0;
    while (written < clips && elapsed() < options.maxSeconds) {
      const index = written % CLIPS_PER_VIDEO;
      if (index === 0) {
        const video = store.videos.begin({
          path: `/bench/synthetic-${videoIds.length + 1}.mp4`, contentHash: `synthetic-${options.seed}-${videoIds.length}`,
          durationSec: CLIPS_PER_VIDEO * CLIP_SECONDS, fps: 1, width: 160, height: 120, settings: { synthetic: true },
        });
        videoIds.push(video.id);
        memory = [];
        sceneLeft = 0;
      }
      const start = index * CLIP_SECONDS;
      const end = start + CLIP_SECONDS;
      if (sceneLeft === 0) {
        memory = [...memory.slice(-(TOKENS - 1)), { vector: randomScene(random), start, end }];
        sceneLeft = 1 + Math.floor(random() * 30);
      }
      sceneLeft--;
      const scene = memory.at(-1)!;
      scene.end = end;
      const tokens: MemoryToken[] = memory.map((s) => ({ vector: s.vector, start: s.start, end: s.end, weight: (s.end - s.start) / CLIP_SECONDS }));
      store.videos.appendClip(videoIds.at(-1)!, {
        index, start, end, indicator: jitter(scene.vector, random, 0.05), tokens, framesEncoded: 4, framesRepeat: 0,
      });
      written++;
      if (elapsed() - lastReport >= 10) {
        lastReport = elapsed();
        process.stderr.write(`  ${dir}: ${written}/${clips} clips, ${elapsed().toFixed(0)} s\n`);
      }
    }
    // Finishing marks every video complete; only the first call persists the index (once, at the end).
    videoIds.forEach((id, i) => {
      const complete = i < videoIds.length - 1 || written % CLIPS_PER_VIDEO === 0;
      store.videos.finish(id, complete ? 'complete' : 'incomplete', { synthetic: true });
    });
  } finally {
    store.close();
  }
  const built: BuiltStore = { dir, clips: written, videos: videoIds.length, buildSec: elapsed(), cut: written < clips, requested: clips };
  writeFileSync(metaFile, `${JSON.stringify(built)}\n`);
  return built;
}

/** Questions a palette store can answer: every colour, alone or in a region, and pairs in splits. */
export function questionBank(): string[] {
  const colours = PALETTE_COLOURS.map((c) => c.name);
  const regions = ['on the left', 'on the right', 'at the top', 'at the bottom', 'in the middle'];
  return [
    ...colours.map((c) => `when is there ${c}?`),
    ...colours.flatMap((c) => regions.map((r) => `${c} ${r}`)),
    ...colours.flatMap((a, i) => colours.slice(i + 1).map((b) => `${a} on the left and ${b} on the right`)),
  ];
}
