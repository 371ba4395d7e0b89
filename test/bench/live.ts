/**
 * npm run bench:live — how many live 720p30 streams one `vidmem watch` keeps up with on this
 * machine, sampling 1 frame a second: N publishers on 127.0.0.1 (ffmpeg `-re`, a pre-encoded
 * H.264 file looped and copied, so that publishing costs next to nothing), one watch process for
 * all N, with the palette model and with the ViT-B/32-shaped encoder. A stream is kept in real
 * time when under 1 % of its sampled frames were dropped and its frames arrived at the rate asked
 * for; the object detector off (bench:detect measures it). Also: the time from a source's return
 * to its first new clip.
 *
 * BENCH_LIVE_SOAK_MINUTES=60 runs the soak instead: two streams watched for that long, recorded,
 * every frame encoded (a clip every 4 s) and both recordings and memories pruned as they age, the
 * watch process's resident memory sampled every 30 s. Flat means the median of the last quarter
 * within 10 % of the median of the second (the first is start-up).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { mediaTools } from '../../src/sources/ffmpeg-binaries.js';
import { closedPort } from '../helpers/ports.js';
import { ROOT } from './child-process.js';

const ffmpeg = mediaTools().ffmpeg.path;
const WORK = join(tmpdir(), 'vidmem-bench-live');
const SOURCE = join(WORK, 'camera-720p30.mp4');
const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 30);
const SOAK_MINUTES = Number(process.env.BENCH_LIVE_SOAK_MINUTES ?? 0);
const COUNTS = [1, 2, 4, 8, 12];
const MODELS = ['palette', 'vit-b32-shape'];

mkdirSync(WORK, { recursive: true });
if (!existsSync(SOURCE)) {
  process.stderr.write('encoding a 60-second 1280×720 30 fps H.264 camera picture to publish…\n');
  const made = spawnSync(ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=60',
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-pix_fmt', 'yuv420p', SOURCE,
  ]);
  if (made.status !== 0) throw new Error(`cannot encode the bench stream: ${made.stderr}`);
}

function publish(port: number): ChildProcess {
  return spawn(ffmpeg, ['-hide_banner', '-loglevel', 'quiet', '-re', '-stream_loop', '-1', '-i', SOURCE, '-c', 'copy', '-f', 'mpegts', '-listen', '1', `http://127.0.0.1:${port}/`], { stdio: 'ignore' });
}

/** CPU seconds (user + system) a process has used, and its resident memory, MB, from /proc. */
function usage(pid: number): { cpu: number; rssMb: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { cpu: (Number(stat[11]) + Number(stat[12])) / 100, rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
  } catch {
    return { cpu: 0, rssMb: 0 };
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface Watch {
  readonly child: ChildProcess;
  readonly events: Array<Record<string, unknown>>;
  readonly exited: Promise<void>;
}

function watch(args: readonly string[], record = false): Watch {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'vidmem.js'), 'watch', ...args, '--json', '--detect', 'off', ...(record ? [] : ['--no-record'])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const events: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => events.push(JSON.parse(line) as Record<string, unknown>));
  return { child, events, exited: new Promise((resolve) => child.on('close', () => resolve())) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Cell {
  readonly kept: boolean;
  readonly dropPercent: number;
  readonly fps: number;
  readonly cpuPerStream: number;
  readonly rssPerStreamMb: number;
}

async function measure(model: string, streams: number): Promise<Cell> {
  const ports = await Promise.all(Array.from({ length: streams }, () => closedPort()));
  const publishers = ports.map(publish);
  const store = join(WORK, `store-${model}-${streams}`);
  rmSync(store, { recursive: true, force: true });
  await sleep(500);
  const w = watch([...ports.flatMap((port, i) => ['--source', `cam${i}=http://127.0.0.1:${port}/`]), '--store', store, '--model', model]);
  // Counted from the moment every source has stored a clip: start-up is not the steady state.
  const deadline = performance.now() + 60_000;
  while (new Set(w.events.filter((e) => e.type === 'clip').map((e) => e.source)).size < streams) {
    if (performance.now() > deadline) {
      w.child.kill('SIGTERM');
      await w.exited;
      for (const p of publishers) p.kill('SIGKILL');
      return { kept: false, dropPercent: 100, fps: 0, cpuPerStream: 0, rssPerStreamMb: 0 };
    }
    await sleep(200);
  }
  const first = new Map(w.events.filter((e) => e.type === 'clip').map((e) => [e.source as string, e]));
  const pids = () => [w.child.pid!, ...childrenOf(w.child.pid!)];
  const before = pids().reduce((n, pid) => n + usage(pid).cpu, 0);
  const started = performance.now();
  await sleep(SECONDS * 1000);
  const cpu = pids().reduce((n, pid) => n + usage(pid).cpu, 0) - before;
  const rss = pids().reduce((n, pid) => n + usage(pid).rssMb, 0);
  const wall = (performance.now() - started) / 1000;
  w.child.kill('SIGTERM');
  await w.exited;
  for (const p of publishers) p.kill('SIGKILL');
  let dropped = 0;
  let decoded = 0;
  for (const [source, start] of first) {
    const last = w.events.filter((e) => e.type === 'clip' && e.source === source).at(-1)!;
    dropped += Number(last.framesDropped) - Number(start.framesDropped);
    decoded += Number(last.framesDecoded) - Number(start.framesDecoded);
  }
  const dropPercent = decoded + dropped > 0 ? (100 * dropped) / (decoded + dropped) : 100;
  // Sampled frames that arrived per second per stream, against the 1 fps asked for.
  const fps = (decoded + dropped) / streams / wall;
  return { kept: dropPercent < 1 && fps >= 0.9, dropPercent, fps, cpuPerStream: (100 * cpu) / wall / streams, rssPerStreamMb: rss / streams };
}

/** Seconds from a publisher's return to the 'connected' event and to the first new clip. */
async function reconnect(): Promise<{ connected: number; clip: number }> {
  const port = await closedPort();
  let publisher = publish(port);
  const store = join(WORK, 'store-reconnect');
  rmSync(store, { recursive: true, force: true });
  await sleep(500);
  const w = watch([`http://127.0.0.1:${port}/`, '--store', store, '--model', 'palette', '--name', 'cam']);
  while (!w.events.some((e) => e.type === 'clip')) await sleep(100);
  publisher.kill('SIGKILL');
  while (!w.events.some((e) => e.type === 'gap')) await sleep(100);
  await sleep(3000);
  const seen = w.events.length;
  const back = performance.now();
  publisher = publish(port);
  const after = (type: string) => w.events.slice(seen).some((e) => e.type === type);
  while (!after('connected')) await sleep(50);
  const connected = (performance.now() - back) / 1000;
  while (!after('clip')) await sleep(50);
  const clip = (performance.now() - back) / 1000;
  w.child.kill('SIGTERM');
  await w.exited;
  publisher.kill('SIGKILL');
  return { connected, clip };
}

/** Bytes of the files under a folder. */
function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, withFileTypes: true }).reduce((n, e) => n + (e.isFile() ? statSync(join(e.parentPath, e.name)).size : 0), 0);
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function soak(minutes: number): Promise<void> {
  const ports = await Promise.all([closedPort(), closedPort()]);
  const publishers = ports.map(publish);
  const store = join(WORK, 'store-soak');
  rmSync(store, { recursive: true, force: true });
  await sleep(500);
  const w = watch([
    ...ports.flatMap((port, i) => ['--source', `cam${i}=http://127.0.0.1:${port}/`]), '--store', store, '--model', 'palette',
    '--repeat-threshold', '0', '--retain', '3m', '--retain-memories', '5m',
  ], true);
  const samples: Array<{ minute: number; rssMb: number; ffmpegMb: number; recordingsMb: number; storeMb: number }> = [];
  const started = performance.now();
  while (performance.now() - started < minutes * 60_000) {
    await sleep(30_000);
    const children = childrenOf(w.child.pid!);
    const recordingsMb = folderBytes(join(store, 'recordings')) / 2 ** 20;
    samples.push({
      minute: (performance.now() - started) / 60_000, rssMb: usage(w.child.pid!).rssMb, ffmpegMb: children.reduce((n, pid) => n + usage(pid).rssMb, 0),
      recordingsMb, storeMb: folderBytes(store) / 2 ** 20 - recordingsMb,
    });
    const s = samples.at(-1)!;
    process.stderr.write(`soak ${s.minute.toFixed(1)} min: RSS ${s.rssMb.toFixed(0)} MB (ffmpeg ${s.ffmpegMb.toFixed(0)} MB), recordings ${s.recordingsMb.toFixed(1)} MB, store ${s.storeMb.toFixed(1)} MB\n`);
  }
  w.child.kill('SIGTERM');
  await w.exited;
  for (const p of publishers) p.kill('SIGKILL');
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const second = median(samples.slice(quarter, 2 * quarter).map((s) => s.rssMb));
  const last = median(samples.slice(-quarter).map((s) => s.rssMb));
  const clips = w.events.filter((e) => e.type === 'clip').length;
  const drift = (100 * (last - second)) / second;
  process.stdout.write(
    `\nSoak: 2 live 1280×720 30 fps streams for ${minutes} min, palette, every frame encoded, recorded, --retain 3m --retain-memories 5m; ${clips} clips stored\n\n` +
      '| minute | vidmem RSS MB | ffmpeg RSS MB | recordings MB | store without recordings MB |\n| --- | --- | --- | --- | --- |\n' +
      samples.filter((_, i) => i % 10 === 9 || i === samples.length - 1).map((s) => `| ${s.minute.toFixed(0)} | ${s.rssMb.toFixed(0)} | ${s.ffmpegMb.toFixed(0)} | ${s.recordingsMb.toFixed(1)} | ${s.storeMb.toFixed(1)} |`).join('\n') +
      `\n\nRSS median of the second quarter ${second.toFixed(0)} MB, of the last ${last.toFixed(0)} MB: ${drift >= 0 ? '+' : ''}${drift.toFixed(1)} % (target: within 10 %) ${Math.abs(drift) <= 10 ? 'PASS' : 'MISS'}; peak ${Math.max(...samples.map((s) => s.rssMb)).toFixed(0)} MB\n`,
  );
}

if (SOAK_MINUTES > 0) {
  await soak(SOAK_MINUTES);
  process.exit(0);
}

const lines: string[] = [];
for (const model of MODELS) {
  let largest = 0;
  for (const streams of COUNTS) {
    process.stderr.write(`${model}: ${streams} stream${streams === 1 ? '' : 's'} for ${SECONDS} s…\n`);
    const cell = await measure(model, streams);
    lines.push(
      `| ${model} | ${streams} | ${cell.kept ? 'yes' : 'no'} | ${cell.dropPercent.toFixed(2)} | ${cell.fps.toFixed(2)} | ${cell.cpuPerStream.toFixed(0)} | ${cell.rssPerStreamMb.toFixed(0)} |`,
    );
    if (!cell.kept) break;
    largest = streams;
  }
  lines.push(`| ${model}: largest N kept in real time | ${largest} | | | | | |`);
}
const back = await reconnect();
process.stdout.write(
  `\nLive 1280×720 30 fps H.264 streams watched at 1 fps, one vidmem watch process, ${SECONDS} s per cell (after every source's first clip)\n\n` +
    '| model | streams | kept | dropped % | sampled fps per stream | CPU % per stream | RSS MB per stream |\n| --- | --- | --- | --- | --- | --- | --- |\n' +
    `${lines.join('\n')}\n\nA source's return → connected again in ${back.connected.toFixed(1)} s, first new clip stored in ${back.clip.toFixed(1)} s (4-second clips; the retry waits 1, 2, 4 … s)\n`,
);
