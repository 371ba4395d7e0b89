/**
 * A needle-in-a-haystack suite: one hour of slowly changing full-frame colours (each 1–4 minutes)
 * with short two-colour splits planted at known times, and one palette question per needle such
 * as "red on the left". Each needle owns its colour-and-place: the question's colour sits in the
 * question's half of that needle and of no other, the other half being black or white, which no
 * question asks for. So each question has exactly one right answer, and plenty of wrong ones:
 * the background shows every colour full-frame, which scores 0.41 against a needle's 0.50, and
 * needles that show the colour elsewhere score 0.25.
 */
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { openVidmem } from '../../pipelines/vidmem.js';
import { PALETTE_COLOURS, type PaletteColour } from '../../models/builtin/palette-space.js';
import type { TextEncoder } from '../../src/core/ports/encoders.js';
import { renderSegments, type Layout, type Segment } from '../../src/sources/synthetic-video.js';
import { selectMemories } from '../../src/selection/select-memories.js';
import { DEFAULT_SELECT } from '../../src/selection/select-options.js';
import type { MemoryStore } from '../../storage/memory-store.js';
import { seededRandom } from '../../src/core/seeded-random.js';

export const HAYSTACK_SECONDS = 3600;
const FPS = 2;
const STEP = 1 / FPS;

export interface Needle {
  readonly start: number;
  readonly end: number;
  readonly layout: Layout;
  readonly question: string;
}

export interface Haystack {
  readonly video: string;
  readonly needles: readonly Needle[];
  readonly segments: readonly Segment[];
}

/** ffmpeg's "green" is #008000, half way to black; the palette's green corner is #00ff00. */
const FFMPEG_COLOUR: Partial<Record<PaletteColour, string>> = { green: 'lime' };
const rendered = (colour: PaletteColour): string => FFMPEG_COLOUR[colour] ?? colour;

const ASKED: readonly PaletteColour[] = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta'];
const FILLER: readonly PaletteColour[] = ['black', 'white'];
const PLACES = [
  { region: 'left', phrase: 'on the left' },
  { region: 'right', phrase: 'on the right' },
  { region: 'top', phrase: 'at the top' },
  { region: 'bottom', phrase: 'at the bottom' },
] as const;

const snap = (t: number): number => Math.round(t / STEP) * STEP;

function needleLayout(colour: PaletteColour, region: (typeof PLACES)[number]['region'], filler: PaletteColour): Layout {
  const [c, f] = [rendered(colour), rendered(filler)];
  switch (region) {
    case 'left':
      return { left: c, right: f };
    case 'right':
      return { left: f, right: c };
    case 'top':
      return { top: c, bottom: f };
    case 'bottom':
      return { top: f, bottom: c };
  }
}

function plan(needleCount: number, seed: number): { needles: Needle[]; segments: Segment[] } {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const keys = ASKED.flatMap((colour) => PLACES.map((place) => ({ colour, place })));
  if (needleCount > keys.length) throw new Error(`at most ${keys.length} needles have a colour and place of their own`);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }

  // One needle per equal slot of the hour, 2–5 s long, wherever it falls against the 4 s clips.
  const slot = HAYSTACK_SECONDS / needleCount;
  const needles: Needle[] = keys.slice(0, needleCount).map(({ colour, place }, i) => {
    const start = snap(i * slot + 10 + random() * (slot - 30));
    const end = start + snap(2 + random() * 3);
    return { start, end, layout: needleLayout(colour, place.region, pick(FILLER)), question: `${colour} ${place.phrase}` };
  });

  // The background changes every 1–4 minutes; needles cut into it.
  const colours = PALETTE_COLOURS.map((c) => c.name);
  const background: Array<{ start: number; end: number; colour: PaletteColour }> = [];
  for (let t = 0; t < HAYSTACK_SECONDS; ) {
    const end = Math.min(HAYSTACK_SECONDS, snap(t + 60 + random() * 180));
    const previous = background.at(-1)?.colour;
    background.push({ start: t, end, colour: pick(colours.filter((c) => c !== previous)) });
    t = end;
  }
  const segments: Segment[] = [];
  let t = 0;
  const fill = (until: number): void => {
    for (const scene of background) {
      const from = Math.max(t, scene.start);
      const to = Math.min(until, scene.end);
      if (to > from) segments.push({ seconds: to - from, layout: { full: rendered(scene.colour) } });
    }
    t = until;
  };
  for (const needle of needles) {
    fill(needle.start);
    segments.push({ seconds: needle.end - needle.start, layout: needle.layout });
    t = needle.end;
  }
  fill(HAYSTACK_SECONDS);
  return { needles, segments };
}

/** Renders the hour cheaply: 160×120, 2 fps, a keyframe every second, a moving square so no frame is static. */
export async function makeHaystack(dir: string, needleCount: number, seed: number): Promise<Haystack> {
  const { needles, segments } = plan(needleCount, seed);
  const video = join(dir, 'haystack.mp4');
  await renderSegments(video, segments, { width: 160, height: 120, fps: FPS, gop: FPS, motion: true });
  return { video, needles, segments };
}

/**
 * Ingests with the default settings (1 frame a second, 4 s clips, 8 memory tokens) and the palette
 * model; `propagate: false` distills every clip from its own frames only.
 */
export async function ingestHaystack(haystack: Haystack, storeDir: string, propagate = true): Promise<{ clips: number; wallSec: number }> {
  const app = openVidmem(storeDir, { model: { model: 'palette' } });
  try {
    const summary = await lastValueFrom(app.ingest(haystack.video, { propagate }));
    if (summary.type !== 'done') throw new Error(`${haystack.video}: the ingest ended without a summary`);
    return { clips: summary.clips, wallSec: summary.wallSec };
  } finally {
    await app.close();
  }
}

export interface Recall {
  readonly scoring: string;
  readonly selection: string;
  readonly recallAt1: number;
  readonly recallAt5: number;
  /** Mean over questions. */
  readonly moments: number;
  readonly tokens: number;
  readonly spanSec: number;
}

interface Ranked {
  readonly start: number;
  readonly end: number;
  readonly tokens: number;
}

const hits = (m: Ranked, n: Needle): boolean => m.start < n.end && n.start < m.end;
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Recall of each needle's time range by each way of scoring and selecting. Adaptive: the selected
 * moments, best first. Fixed top-4 (the paper's constant number): the four best candidates as
 * they come, without suppression or a mass cut-off. The paper's own way comes first: the four
 * clips nearest in the index, by indicator alone. A moment hits when its time range overlaps the needle's.
 */
export async function measureRecall(haystack: Haystack, store: MemoryStore, text: TextEncoder): Promise<Recall[]> {
  const vectors = await text.encodeTexts(haystack.needles.map((n) => n.question));
  const rows: Recall[] = [];
  const paper = vectors.map((v) => {
    const nearest = store.videos.nearestClips(v, { top: 4 });
    const memories = store.videos.clipMemories(nearest.map((h) => h.clipId));
    return nearest.map((h) => ({ start: h.start, end: h.end, tokens: memories.get(h.clipId)?.tokens.length ?? 0 }));
  });
  rows.push(recall('indicators only', 'index top-4 (paper)', haystack.needles, paper));
  for (const useMemory of [false, true]) {
    const adaptive: Ranked[][] = [];
    const fixed: Ranked[][] = [];
    haystack.needles.forEach((needle, i) => {
      const selection = selectMemories(store.videos, { text: needle.question, vector: vectors[i]! }, { ...DEFAULT_SELECT, useMemory });
      adaptive.push(
        [...selection.selected].sort((a, b) => b.score - a.score).map((m) => ({ start: m.start, end: m.end, tokens: m.clip.tokens.length })),
      );
      fixed.push(
        selection.decisions.slice(0, 4).map(({ candidate: c }) => ({ start: c.focusStart, end: c.focusEnd, tokens: c.tokens.length })),
      );
    });
    const scoring = useMemory ? 'indicators + memory tokens' : 'indicators only';
    rows.push(recall(scoring, 'fixed top-4', haystack.needles, fixed), recall(scoring, 'adaptive', haystack.needles, adaptive));
  }
  return rows;
}

function recall(scoring: string, selection: string, needles: readonly Needle[], ranked: readonly Ranked[][]): Recall {
  return {
    scoring,
    selection,
    recallAt1: mean(needles.map((n, i) => (ranked[i][0] && hits(ranked[i][0], n) ? 1 : 0))),
    recallAt5: mean(needles.map((n, i) => (ranked[i].slice(0, 5).some((m) => hits(m, n)) ? 1 : 0))),
    moments: mean(ranked.map((r) => r.length)),
    tokens: mean(ranked.map((r) => r.reduce((sum, m) => sum + m.tokens, 0))),
    spanSec: mean(ranked.flatMap((r) => r.map((m) => m.end - m.start))),
  };
}
