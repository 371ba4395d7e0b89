/**
 * npm run bench:lecture — lecture search on a generated 30-minute lecture of 45 slides: ingest ×
 * real time, OCR milliseconds per slide change and peak RSS for OCR only, subtitles only, both and
 * neither, each ingest in a child CLI process; then Recall@1 and MRR of 45 queries that quote a
 * slide's second line (words of that line alone, without its title), with the palette model, whose
 * vectors know only colours: what finds a slide is its text.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../../src/core/config.js';
import { openVidmem } from '../../pipelines/vidmem.js';
import { renderSampleLecture, slideTimes, type LectureSlide } from '../../pipelines/sample-lecture.js';
import type { IngestSummary } from '../../pipelines/ingest-file.js';
import { ingestInChild } from './ingest-child.js';

const WORK = join(tmpdir(), 'vidmem-bench-lecture');
const SECONDS_PER_SLIDE = 40;
const TOPICS = [
  'Glaciers', 'Volcanoes', 'Tides', 'Photosynthesis', 'Enzymes', 'Magnetism', 'Entropy', 'Plate tectonics', 'Monsoons',
  'Coral reefs', 'Neurons', 'Antibiotics', 'Semiconductors', 'Black holes', 'Comets', 'Erosion', 'Pollination', 'Vaccines',
  'Batteries', 'Lasers', 'Earthquakes', 'Hurricanes', 'Deserts', 'Wetlands', 'Migration', 'Fermentation', 'Proteins',
  'Genetics', 'Evolution', 'Friction', 'Gravity', 'Optics', 'Acoustics', 'Bridges', 'Telescopes', 'Rainforests',
  'Fungi', 'Bacteria', 'Viruses', 'Oceans', 'Rivers', 'Soil', 'Climate', 'Satellites', 'Robotics',
];
const OBJECTS = [
  'carve deep valleys', 'vent molten rock', 'follow the moon', 'store sunlight as sugar', 'speed up digestion', 'align iron filings',
  'always increases', 'drift continents apart', 'bring summer rain', 'shelter colourful fish', 'fire electrical spikes',
  'kill harmful microbes', 'switch tiny currents', 'bend passing light', 'grow bright tails', 'wash away hillsides',
  'carry pollen between flowers', 'train the immune system', 'hold chemical energy', 'emit coherent beams',
  'shake whole cities', 'spin around calm eyes', 'receive little rainfall', 'filter muddy water', 'cross entire continents',
  'turn juice into wine', 'fold into shapes', 'pass traits to offspring', 'select the fittest variants', 'slow sliding blocks',
  'pull apples downward', 'focus images through lenses', 'shape concert halls', 'span wide rivers', 'collect faint starlight',
  'produce much oxygen', 'decompose fallen leaves', 'divide every twenty minutes', 'hijack living cells', 'absorb atmospheric heat',
  'deposit fertile silt', 'anchor plant roots', 'warms over decades', 'orbit far above', 'assemble cars tirelessly',
];

const slides: LectureSlide[] = TOPICS.map((topic, i) => ({
  title: topic,
  lines: [`Lecture part ${i + 1}: an overview`, `${topic.split(' ').at(-1)!} ${OBJECTS[i]!}`],
  seconds: SECONDS_PER_SLIDE,
}));
const times = slideTimes(slides);
/** A slide's second line without its first word, the topic: what someone remembers of a slide. */
const queries = slides.map((slide, i) => ({ query: OBJECTS[i]!, target: i, line: slide.lines[1]! }));

function srtTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)},${pad(ms % 1000, 3)}`;
}

/** What the lecturer says over each slide: its words in a sentence of speech. */
function subtitles(): string {
  return slides
    .map((slide, i) => `${i + 1}\n${srtTime(times[i]!.start + 2)} --> ${srtTime(times[i]!.end - 2)}\nSo, ${slide.title.toLowerCase()}: they ${OBJECTS[i]}, as you can see.\n`)
    .join('\n');
}

interface Row {
  label: string;
  summary: IngestSummary;
  peakRssMb: number;
  recallAt1: number;
  mrr: number;
}

async function quality(store: string): Promise<{ recallAt1: number; mrr: number }> {
  const app = openVidmem(store, { config: readConfig() });
  let hits = 0;
  let reciprocal = 0;
  try {
    for (const { query, target } of queries) {
      const moments = await app.search(query, { top: 5 }).catch(() => []);
      const span = times[target]!;
      const rank = moments.findIndex((m) => Math.min(m.end, span.end) - Math.max(m.start, span.start) > (m.end - m.start) / 2);
      if (rank === 0) hits += 1;
      if (rank >= 0) reciprocal += 1 / (rank + 1);
    }
  } finally {
    await app.close();
  }
  return { recallAt1: hits / queries.length, mrr: reciprocal / queries.length };
}

mkdirSync(WORK, { recursive: true });
const video = join(WORK, `lecture-${slides.length}x${SECONDS_PER_SLIDE}s.mp4`);
if (!existsSync(video)) {
  process.stderr.write(`rendering ${video} (${slides.length} slides, ${(slides.length * SECONDS_PER_SLIDE) / 60} minutes)…\n`);
  await renderSampleLecture(video, slides, readConfig());
}
const cues = join(WORK, 'lecture-spoken.srt');
writeFileSync(cues, subtitles());

const runs: Array<[string, string[]]> = [
  ['OCR only', ['--subtitles', 'off']],
  ['subtitles only', ['--ocr', 'off', '--subtitles', cues]],
  ['OCR + subtitles', ['--subtitles', cues]],
  ['neither (colours only)', ['--ocr', 'off', '--subtitles', 'off']],
];
const rows: Row[] = [];
for (const [label, args] of runs) {
  process.stderr.write(`running: ${label}\n`);
  const store = join(WORK, `store-${label.replace(/\W+/g, '-')}`);
  rmSync(store, { recursive: true, force: true });
  const { summary, peakRssMb } = await ingestInChild<IngestSummary>(label, video, store, ['--model', 'palette', '--preset', 'lecture', ...args]);
  rows.push({ label, summary, peakRssMb, ...(await quality(store)) });
}

const header = ['configuration', '× real time', 'wall s', 'OCR frames', 'OCR ms / change', 'text lines', 'peak RSS MB', 'Recall@1', 'MRR'];
const lines = rows.map(({ label, summary: s, peakRssMb, recallAt1, mrr }) => [
  label, (s.durationSec / s.wallSec).toFixed(1), s.wallSec.toFixed(1), String(s.ocrFrames),
  s.ocrFrames ? ((s.ocrSec * 1000) / s.ocrFrames).toFixed(0) : '–', String(s.textLines), peakRssMb.toFixed(0), recallAt1.toFixed(3), mrr.toFixed(3),
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write(`\n${[fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n')}\n`);
process.stdout.write(`\n${slides.length} slides, ${queries.length} queries; targets with OCR: Recall@1 ≥ 0.95, ≥ 20× real time, peak RSS ≤ 800 MB\n`);
process.stdout.write(`machine: ${cpus().length} cores, Node ${process.version}\n`);
