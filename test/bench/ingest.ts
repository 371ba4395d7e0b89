/**
 * npm run bench:ingest — ingest speed and peak memory on a generated 10-minute 720p30 H.264 video,
 * for the built-in `palette` model and the ViT-B/32-shaped benchmark graph, side by side.
 * Each configuration runs the real CLI in a child process; peak RSS is that process's VmHWM.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, runCli } from './child-process.js';
import { renderSegments, type Segment } from '../../src/sources/synthetic-video.js';

const WORK = join(tmpdir(), 'vidmem-bench');
const COLOURS = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta', 'white', 'black'];

interface Row {
  label: string;
  durationSec: number;
  wallSec: number;
  framesEncoded: number;
  framesSkipped: number;
  sampling: string;
  peakRssMb: number;
}

function segments(seconds: number): Segment[] {
  return Array.from({ length: Math.ceil(seconds / 20) }, (_, i) => ({
    seconds: Math.min(20, seconds - 20 * i),
    layout: i % 3 === 0 ? { left: COLOURS[i % 8], right: COLOURS[(i + 3) % 8] } : { full: COLOURS[i % 8] },
  }));
}

async function video(seconds: number): Promise<string> {
  const path = join(WORK, `bench-720p30-${seconds}s.mp4`);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${path} (1280×720, 30 fps, keyframe every second)…\n`);
    await renderSegments(path, segments(seconds), { width: 1280, height: 720, fps: 30, gop: 30, motion: true });
  }
  return path;
}

async function ingest(label: string, file: string, args: string[]): Promise<Row> {
  const store = join(WORK, `store-${label.replace(/\W+/g, '-')}`);
  rmSync(store, { recursive: true, force: true });
  const { stdout, peakRssMb } = await runCli(label, ['ingest', file, '--store', store, '--json', ...args]);
  const s = JSON.parse(stdout) as Omit<Row, 'label' | 'peakRssMb'>;
  return { label, ...s, peakRssMb };
}

function table(rows: Row[]): string {
  const header = ['configuration', 'video', 'sampling', 'wall s', '× real time', 'encoded fps', 'skipped', 'peak RSS MB'];
  const lines = rows.map((r) => [
    r.label,
    `${(r.durationSec / 60).toFixed(1)} min`,
    r.sampling,
    r.wallSec.toFixed(1),
    (r.durationSec / r.wallSec).toFixed(1),
    (r.framesEncoded / r.wallSec).toFixed(1),
    String(r.framesSkipped),
    r.peakRssMb.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

mkdirSync(WORK, { recursive: true });
const tenMinutes = await video(600);
const twoMinutes = await video(120);
const rows: Row[] = [];
const runs: Array<[string, string, string[]]> = [
  ['palette, 1 fps', tenMinutes, ['--model', 'palette', '--fps', '1']],
  ['palette, 1 fps, every frame decoded', tenMinutes, ['--model', 'palette', '--fps', '1', '--sampling', 'fps']],
  ['palette, 1 fps (2-min video)', twoMinutes, ['--model', 'palette', '--fps', '1']],
  ['vit-b32-shape fp32, 1 fps', tenMinutes, ['--model', 'vit-b32-shape', '--fps', '1', '--batch', '8']],
  ['vit-b32-shape fp32, 1 fps, every frame decoded', tenMinutes, ['--model', 'vit-b32-shape', '--fps', '1', '--batch', '8', '--sampling', 'fps']],
  ['vit-b32-shape fp32, 1 fps (2-min video)', twoMinutes, ['--model', 'vit-b32-shape', '--fps', '1', '--batch', '8']],
  ['vit-b32-shape q8, 1 fps', tenMinutes, ['--model', 'vit-b32-shape', '--dtype', 'q8', '--fps', '1', '--batch', '8']],
];
// Real footage, when the shared media folder sits beside the checkout: a fixed street camera.
const street = resolve(ROOT, '..', 'shared', 'media', 'opencv', 'vtest.avi');
if (existsSync(street)) {
  runs.push(['palette, 1 fps, street camera (vtest.avi)', street, ['--model', 'palette', '--fps', '1']]);
  runs.push(['vit-b32-shape fp32, 1 fps, street camera (vtest.avi)', street, ['--model', 'vit-b32-shape', '--fps', '1', '--batch', '8']]);
}
for (const [label, file, args] of runs) {
  process.stderr.write(`running: ${label}\n`);
  rows.push(await ingest(label, file, args));
}
process.stdout.write(`\n${table(rows)}\n`);
process.stdout.write(`\nmachine: ${(await import('node:os')).cpus().length} cores, Node ${process.version}\n`);
