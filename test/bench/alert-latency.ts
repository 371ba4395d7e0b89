/**
 * Alert latency on a live stream, frame shown → event printed: footage whose people appear at
 * known moments (stretches of vtest.avi between stretches of an empty grey picture, joined by
 * ffmpeg) published in real time by ffmpeg (`-re`, MPEG-TS over HTTP on 127.0.0.1, `-listen 1`),
 * watched by `vidmem watch --json --detect on` in a process of its own, with an object rule
 * `--object person`. A frame is shown when the publisher sends it: ffmpeg opens its output (the
 * watch connected) and starts its real-time clock, says so on stderr ("Output #0"), and from then
 * sends the frame at t seconds into the footage t seconds later. The event is printed when its
 * `{"type":"alert"}` line reaches this process from the watch's stdout.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { mediaTools } from '../../src/sources/ffmpeg-binaries.js';
import { closedPort } from '../helpers/ports.js';
import { VTEST } from '../helpers/video-frames.js';
import { ROOT, runCli } from './child-process.js';

const ffmpeg = mediaTools().ffmpeg.path;
/** Empty stretches before each appearance, of lengths that fall on different phases of the clips. */
const EMPTY_SECONDS = [8, 8.7, 9.4, 8.3, 9.1, 7.8];
const PEOPLE_SECONDS = 4;
/** Where in vtest.avi each appearance is taken from. */
const VTEST_FROM = [0, 12, 24, 36, 48, 60];
const TAIL_SECONDS = 6;

export interface Footage {
  readonly path: string;
  /** Seconds into the footage where each stretch with people begins. */
  readonly appearances: readonly number[];
  readonly seconds: number;
}

/** 768×576 10 fps H.264 without B-frames, a keyframe a second: empty, people, empty, people … empty. */
export function makeFootage(work: string): Footage {
  const path = join(work, `people-at-known-moments-${EMPTY_SECONDS.join('-')}-${PEOPLE_SECONDS}.ts`);
  const inputs: string[] = [];
  const chains: string[] = [];
  const appearances: number[] = [];
  let at = 0;
  EMPTY_SECONDS.forEach((empty, i) => {
    inputs.push('-f', 'lavfi', '-i', `color=c=dimgray:s=768x576:r=10:d=${empty}`, '-ss', String(VTEST_FROM[i]), '-t', String(PEOPLE_SECONDS), '-i', VTEST);
    chains.push(`[${2 * i}:v]format=yuv420p,setsar=1[e${i}]`, `[${2 * i + 1}:v]fps=10,format=yuv420p,setsar=1[p${i}]`);
    at += empty;
    appearances.push(at);
    at += PEOPLE_SECONDS;
  });
  const tail = EMPTY_SECONDS.length * 2;
  inputs.push('-f', 'lavfi', '-i', `color=c=dimgray:s=768x576:r=10:d=${TAIL_SECONDS}`);
  chains.push(`[${tail}:v]format=yuv420p,setsar=1[end]`);
  const joined = EMPTY_SECONDS.map((_, i) => `[e${i}][p${i}]`).join('') + `[end]concat=n=${tail + 1}:v=1:a=0[v]`;
  const seconds = at + TAIL_SECONDS;
  if (!existsSync(path)) {
    process.stderr.write(`joining ${EMPTY_SECONDS.length} stretches of vtest.avi with empty ones between (${seconds.toFixed(0)} s)…\n`);
    const made = spawnSync(ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', `${chains.join(';')};${joined}`, '-map', '[v]',
      '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0', '-g', '10', '-f', 'mpegts', path,
    ], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`cannot join the footage: ${made.stderr}`);
  }
  return { path, appearances, seconds };
}

/** ffmpeg sending the footage once at its own pace to the one client that connects; resolves `started` (Date.now()) when it begins. */
function publish(footage: string, port: number): { child: ChildProcess; started: Promise<number> } {
  const child = spawn(ffmpeg, [
    '-hide_banner', '-loglevel', 'info', '-nostats', '-re', '-i', footage, '-c', 'copy', '-flush_packets', '1', '-f', 'mpegts', '-listen', '1', `http://127.0.0.1:${port}/`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const started = new Promise<number>((resolve, reject) => {
    // Opening the output waits for the client; the header of the output follows at once.
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.startsWith('Output #0')) resolve(Date.now());
    });
    child.on('close', (code) => reject(new Error(`the publisher ended (${code}) before a client connected`)));
  });
  return { child, started };
}

export interface LatencySample {
  /** Seconds from the first frame with people sent to its alert line read. */
  readonly total: number;
  /** Of which: until the publisher sent the end of the clip the alert is for … */
  readonly untilClipEnd: number;
  /** … and from then to the line (the next sampled frame that closes the clip, decoding, encoding, detection, storing, the rule). */
  readonly afterClipEnd: number;
}

export interface LatencyRun {
  readonly clipSeconds: number;
  readonly fps: number;
  readonly record: boolean;
  /** One per appearance that raised an alert. */
  readonly samples: readonly LatencySample[];
  readonly missed: number;
  /** Alerts beyond the first of each appearance, or before the first. */
  readonly extra: number;
}

/** One watch of the whole footage with `--clip-seconds clipSeconds --fps fps`, recorded or not. */
export async function alertLatency(footage: Footage, work: string, settings: { clipSeconds: number; fps: number; record: boolean }): Promise<LatencyRun> {
  const { clipSeconds, fps, record } = settings;
  const store = join(work, `store-${clipSeconds}s-${fps}fps${record ? '' : '-no-record'}`);
  rmSync(store, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  await runCli('alert rule', ['alerts', 'add', '--object', 'person', '--min-count', '1', '--cooldown', '3s', '--store', store]);
  const port = await closedPort();
  const publisher = publish(footage.path, port);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const watch = spawn(process.execPath, [
    join(ROOT, 'bin', 'vidmem.js'), 'watch', `http://127.0.0.1:${port}/`, '--name', 'street', '--store', store, '--model', 'palette',
    '--detect', 'on', '--clip-seconds', String(clipSeconds), '--fps', String(fps), ...(record ? [] : ['--no-record']), '--json',
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  // When each alert line came, and where its clip ends in the segment, which began with the footage (the publisher waited for the watch).
  const alerts: Array<{ at: number; end: number }> = [];
  createInterface({ input: watch.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { type?: string; end?: number };
    if (event.type === 'alert') alerts.push({ at: Date.now(), end: Number(event.end) });
  });
  const started = await publisher.started;
  await new Promise((resolve) => publisher.child.once('close', resolve));
  // The last clip and its alert, if any, after the stream ends.
  await new Promise((resolve) => setTimeout(resolve, 2 * clipSeconds * 1000 + 2000));
  watch.kill('SIGTERM');
  await new Promise((resolve) => watch.once('close', resolve));
  const shown = footage.appearances.map((t) => started + t * 1000);
  const samples: LatencySample[] = [];
  shown.forEach((at, i) => {
    const until = shown[i + 1] ?? Number.POSITIVE_INFINITY;
    const alert = alerts.find((a) => a.at >= at && a.at < until);
    if (!alert) return;
    const clipEnd = started + alert.end * 1000;
    samples.push({ total: (alert.at - at) / 1000, untilClipEnd: (clipEnd - at) / 1000, afterClipEnd: (alert.at - clipEnd) / 1000 });
  });
  return { clipSeconds, fps, record, samples, missed: shown.length - samples.length, extra: alerts.length - samples.length };
}
