/**
 * `vidmem watch` against real live sources on 127.0.0.1: an ffmpeg publisher serving MPEG-TS over
 * HTTP (`-listen 1`), killed mid-stream and started again; a server that accepts and then sends
 * nothing; a port nobody listens on; files played as cameras with --realtime. The watcher is the CLI
 * itself, stopped by SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { MemoryStore } from '../storage/memory-store.js';
import { BIN, tempDir, vidmem } from './helpers/cli.js';
import { closedPort } from './helpers/ports.js';

const ffmpeg = mediaTools().ffmpeg.path;
const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});


/** A camera: test pictures at 10 fps, sent at their own pace to the one client that connects. */
function publish(port: number): ChildProcess {
  const child = spawn(ffmpeg, [
    '-hide_banner', '-loglevel', 'quiet', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-f', 'mpegts', '-listen', '1', `http://127.0.0.1:${port}/`,
  ], { stdio: 'ignore' });
  running.push(child);
  return child;
}

interface Watcher {
  readonly child: ChildProcess;
  readonly events: Array<Record<string, unknown>>;
  /** Resolves with the first event (counting from `from`) that `match` accepts. */
  next(match: (event: Record<string, unknown>) => boolean, from?: number): Promise<Record<string, unknown>>;
  exit: Promise<{ code: number | null; stderr: string }>;
}

function watch(args: readonly string[]): Watcher {
  const child = spawn(process.execPath, [BIN, 'watch', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  const events: Array<Record<string, unknown>> = [];
  const waiting: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiting.splice(0)) wake();
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  const next = (match: (event: Record<string, unknown>) => boolean, from = 0) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const look = () => {
        const found = events.slice(from).find(match);
        if (found) return resolve(found);
        if (child.exitCode !== null) return reject(new Error(`watch ended (${child.exitCode}) without the event; stderr: ${stderr}; events: ${JSON.stringify(events)}`));
        waiting.push(look);
      };
      child.on('close', look);
      look();
    });
  return { child, events, next, exit };
}

const seconds = (iso: unknown) => Date.parse(String(iso)) / 1000;

/** The last clip stored before the first gap: where the first segment ended. */
const lastClipBeforeGap = (watcher: Watcher) => {
  const gapAt = watcher.events.findIndex((e) => e.type === 'gap');
  return watcher.events.slice(0, gapAt).filter((e) => e.type === 'clip').at(-1)!;
};

describe('vidmem watch', () => {
  it('follows a camera that drops and comes back: one gap, no clip twice or overlapping, wall-clock times, SIGTERM stores the last clip', async () => {
    const store = join(tempDir('vidmem-watch-'), 'store');
    const port = await closedPort();
    const began = Date.now() / 1000;
    let camera = publish(port);
    const watcher = watch([`http://127.0.0.1:${port}/`, '--store', store, '--model', 'palette', '--name', 'door', '--stall-timeout', '3', '--clip-seconds', '2']);

    const first = await watcher.next((e) => e.type === 'clip');
    // A question from another process sees what is stored while the watch goes on.
    const search = await vidmem(['search', 'red', '--store', store, '--json']);
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout).results.length).toBeGreaterThan(0);

    camera.kill('SIGKILL');
    const gap = await watcher.next((e) => e.type === 'gap');
    expect(gap).toMatchObject({ source: 'door', reason: expect.any(String) });
    camera = publish(port);
    const connections = () => watcher.events.filter((e) => e.type === 'connected').length;
    await watcher.next((e) => e.type === 'connected' && connections() === 2);
    const back = watcher.events.length;
    await watcher.next((e) => e.type === 'clip', back);

    const clipsBeforeStop = watcher.events.filter((e) => e.type === 'clip').length;
    watcher.child.kill('SIGTERM');
    const { code, stderr } = await watcher.exit;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(watcher.events.at(-1)).toEqual({ type: 'stopped', source: 'door' });
    // The clip open when the watch was stopped was stored on the way out.
    expect(watcher.events.filter((e) => e.type === 'clip').length).toBeGreaterThan(clipsBeforeStop);

    const clips = watcher.events.filter((e) => e.type === 'clip').map((e) => [seconds(e.start), seconds(e.end)] as const);
    expect(clips[0]![0]).toBeGreaterThanOrEqual(began - 1);
    expect(clips[0]![0]).toBeLessThan(seconds(first.end));
    for (let i = 1; i < clips.length; i++) expect(clips[i]![0]).toBeGreaterThanOrEqual(clips[i - 1]![1] - 0.01);
    // The last sampled frame stands for the second after it (1 fps), which the stop may cut short.
    expect(clips.at(-1)![1]).toBeLessThanOrEqual(Date.now() / 1000 + 2.5);

    // Questions about a camera are answered in its wall-clock time: local time with the date, ISO 8601 in JSON.
    const [hit] = JSON.parse((await vidmem(['search', 'red', '--store', store, '--json'])).stdout).results;
    expect(hit.startsAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    // Its wall-clock start is its segment's start plus its time in the segment.
    const segmentStarts = [clips[0]![0], clips.find(([from]) => from > seconds(lastClipBeforeGap(watcher).end))![0]];
    expect(segmentStarts.some((at) => Math.abs(seconds(hit.startsAt) - hit.start - at) < 0.01)).toBe(true);
    expect(seconds(hit.endsAt) - seconds(hit.startsAt)).toBeCloseTo(hit.end - hit.start, 2);
    const asked = await vidmem(['ask', 'when is it red?', '--store', store]);
    expect(asked.stdout).toMatch(/\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d–\d\d:\d\d:\d\d\] door/);

    // Questions limited in time see only that time: --since, --from/--to, or the question's own words.
    const recent = JSON.parse((await vidmem(['search', 'red', '--since', '10m', '--store', store, '--json'])).stdout).results;
    expect(recent.length).toBeGreaterThan(0);
    const iso = (t: number) => new Date(t * 1000).toISOString();
    const afterwards = clips.at(-1)![1] + 1;
    expect(await vidmem(['search', 'red', '--from', iso(afterwards), '--to', iso(afterwards + 60), '--store', store])).toMatchObject({ code: 0, stdout: 'no moments found\n' });
    const firstSegment = JSON.parse((await vidmem(['search', 'red', '--to', iso(seconds(lastClipBeforeGap(watcher).end)), '--store', store, '--json'])).stdout).results;
    expect(firstSegment.length).toBeGreaterThan(0);
    for (const r of firstSegment) expect(seconds(r.startsAt)).toBeLessThan(seconds(lastClipBeforeGap(watcher).end));
    const lately = await vidmem(['ask', 'when was it red in the last 10 minutes?', '--store', store, '--json']);
    expect(JSON.parse(lately.stdout).evidence.length).toBeGreaterThan(0);
    expect(await vidmem(['search', 'red', '--from', '14:00', '--to', '13:00', '--store', store])).toMatchObject({ code: 2, stderr: expect.stringMatching(/ends before it begins/) });

    // The stream itself was recorded: a moment cited can be cut out and played.
    const snippet = join(store, '..', 'snippet.mp4');
    const cut = await vidmem(['clip', 'door', '--at', iso(clips[0]![0] + 1), '--seconds', '2', '-o', snippet, '--store', store]);
    expect(cut).toMatchObject({ code: 0, stdout: expect.stringMatching(/snippet\.mp4: 2 s of door from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(cut from 1 recorded file\)\n$/) });
    const played = spawnSync(ffmpeg, ['-hide_banner', '-i', snippet, '-f', 'null', '-'], { encoding: 'utf8' });
    expect(played.status).toBe(0);
    const duration = /Duration: (\d+):(\d+):([\d.]+)/.exec(played.stderr)!;
    expect(Number(duration[3])).toBeGreaterThan(1);
    expect(Number(duration[3])).toBeLessThan(4);
    expect(await vidmem(['clip', 'window', '--at', iso(clips[0]![0]), '-o', snippet, '--store', store])).toMatchObject({ code: 2, stderr: expect.stringMatching(/has no source 'window' \(its sources: door\)/) });
    expect(await vidmem(['clip', 'door', '--at', '2001-01-01 12:00', '-o', snippet, '--store', store])).toMatchObject({ code: 1, stderr: expect.stringMatching(/no recording of door covers that time/) });

    // The first clip after the gap carries the memory from before it, moved to its own clock: at its start.
    const reader = MemoryStore.open(store, { readonly: true });
    try {
      const [firstAfter] = reader.videos.clipsOf(2);
      const { tokens } = reader.videos.clipMemories([firstAfter!.clipId]).get(firstAfter!.clipId)!;
      expect(tokens.some((t) => t.start === 0 && t.end === 0)).toBe(true);
      expect(tokens.every((t) => t.end <= firstAfter!.end)).toBe(true);
    } finally {
      reader.close();
    }

    const listed = JSON.parse((await vidmem(['sources', '--store', store, '--json'])).stdout).sources;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: 'door', url: `http://127.0.0.1:${port}/`, segments: 2, clips: clips.length });
    expect(listed[0].gaps).toHaveLength(1);
    const [stored] = listed[0].gaps;
    // The gap runs from the end of the last clip before the drop to the start of the first after it.
    const lastBefore = watcher.events.filter((e, i) => e.type === 'clip' && i < back).at(-1)!;
    expect(seconds(stored.start)).toBeCloseTo(seconds(lastBefore.end), 1);
    expect(seconds(stored.end)).toBeGreaterThan(seconds(stored.start));
    expect(seconds(stored.end)).toBeLessThanOrEqual(clips.find(([start]) => start > seconds(stored.start))![0] + 0.01);
  }, 120_000);

  it('tells a stalled source (connected, sending nothing) and an unreachable one apart, and tries each again with growing waits', async () => {
    const store = join(tempDir('vidmem-watch-'), 'store');
    const silent: Server = createServer((socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\n\r\n'));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const stalledPort = (silent.address() as AddressInfo).port;
    const nobody = await closedPort();
    try {
      const watcher = watch(['--source', `quiet=http://127.0.0.1:${stalledPort}/`, '--source', `gone=http://127.0.0.1:${nobody}/`, '--store', store, '--model', 'palette', '--stall-timeout', '1', '--retain', '7d', '--max-storage', '20GB']);
      const stalled = await watcher.next((e) => e.type === 'gap' && e.source === 'quiet');
      expect(stalled).toMatchObject({ reason: 'no frame for 1 s (stalled)', retryInMs: 1000 });
      const refused = watcher.events.filter((e) => e.type === 'gap' && e.source === 'gone');
      expect(refused.length).toBeGreaterThanOrEqual(2);
      expect(refused[0]).toMatchObject({ reason: expect.stringMatching(/Connection refused/), retryInMs: 1000 });
      expect(refused[1]).toMatchObject({ retryInMs: 2000 });
      watcher.child.kill('SIGTERM');
      expect((await watcher.exit).code).toBe(0);
      const listed = JSON.parse((await vidmem(['sources', '--store', store, '--json'])).stdout).sources;
      // However often a source was tried, it is one gap until it comes back.
      expect(listed.map((s: { name: string; gaps: unknown[]; clips: number }) => [s.name, s.gaps.length, s.clips])).toEqual([['quiet', 1, 0], ['gone', 1, 0]]);
    } finally {
      silent.close();
    }
  }, 60_000);

  it('lets two watch processes write one store at once, each its own source, both listed and searchable', async () => {
    const store = join(tempDir('vidmem-watch-'), 'store');
    const ports = [await closedPort(), await closedPort()];
    ports.forEach(publish);
    const watchers = ports.map((port, i) => watch([`http://127.0.0.1:${port}/`, '--store', store, '--model', 'palette', '--name', `cam${i}`, '--clip-seconds', '2']));
    // Each has stored two clips while the other was writing too.
    await Promise.all(watchers.map((w) => w.next((e) => e.type === 'clip' && w.events.filter((x) => x.type === 'clip').length >= 2)));
    for (const w of watchers) w.child.kill('SIGTERM');
    for (const w of watchers) expect(await w.exit).toEqual({ code: 0, stderr: '' });
    const listed = JSON.parse((await vidmem(['sources', '--store', store, '--json'])).stdout).sources;
    expect(listed.map((s: { name: string; segments: number; gaps: unknown[] }) => [s.name, s.segments, s.gaps.length]).sort()).toEqual([['cam0', 1, 0], ['cam1', 1, 0]]);
    const stored = watchers.map((w) => w.events.filter((e) => e.type === 'clip').length);
    expect(listed.map((s: { clips: number }) => s.clips).sort()).toEqual([...stored].sort());
    const found = JSON.parse((await vidmem(['search', 'red', '--store', store, '--json', '--top', '20'])).stdout).results;
    expect(new Set(found.map((r: { path: string }) => r.path))).toEqual(new Set(['cam0', 'cam1']));
  }, 120_000);

  it('refuses to limit a store of files in time, which has no wall-clock times, and a bad --since', async () => {
    const dir = tempDir('vidmem-watch-');
    const video = join(dir, 'v.mp4');
    await renderSegments(video, [{ seconds: 2, layout: { full: 'red' } }]);
    expect((await vidmem(['ingest', video, '--store', join(dir, 's'), '--model', 'palette'])).code).toBe(0);
    expect(await vidmem(['search', 'red', '--since', '10m', '--store', join(dir, 's')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/has no live sources: only their clips have wall-clock times/) });
    expect(await vidmem(['search', 'red', '--since', 'soon', '--store', join(dir, 's')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/give a duration such as 90s, 10m/) });
    // In a store of files, "the last 5 minutes" are words of the question, not a window.
    expect(JSON.parse((await vidmem(['ask', 'when is it red in the last 5 minutes?', '--store', join(dir, 's'), '--json'])).stdout).evidence.length).toBeGreaterThan(0);
  });

  it('refuses a file without --realtime and a malformed --source in one line', async () => {
    const dir = tempDir('vidmem-watch-');
    expect(await vidmem(['watch', BIN, '--store', join(dir, 's')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/is a file: ingest it with `vidmem ingest`, or add --realtime/) });
    expect(await vidmem(['watch', '--source', 'rtsp://cam', '--store', join(dir, 's')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^vidmem: --source rtsp:\/\/cam: give NAME=URL/) });
    expect(await vidmem(['watch', 'rtsp://cam', '--max-storage', 'lots', '--store', join(dir, 's')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--max-storage.*give a size such as 500MB, 20GB or 1\.5TB/) });
  });

  it("keeps one camera's recordings under its own --max-storage while another, under the total only, keeps all of its", async () => {
    const dir = tempDir('vidmem-watch-');
    const store = join(dir, 'store');
    const testPicture = (file: string, seconds: number) =>
      spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', file]);
    const camera = join(dir, 'camera.mp4');
    testPicture(camera, 20);
    // An hour-old minute of each camera's stream, ten times over: what a long watch left behind.
    const segment = join(dir, 'minute.ts');
    testPicture(segment, 6);
    const bytes = statSync(segment).size;
    const opened = MemoryStore.open(store);
    const ids = ['door', 'yard'].map((name) => opened.sources.register(name, camera).id);
    opened.close();
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const old = ids.map((id) => {
      const folder = join(store, 'recordings', String(id));
      mkdirSync(folder, { recursive: true });
      return Array.from({ length: 10 }, (_, i) => {
        const file = join(folder, `${hourAgo + 60 * i}.ts`);
        copyFileSync(segment, file);
        utimesSync(file, hourAgo + 60 * (i + 1), hourAgo + 60 * (i + 1));
        return file;
      });
    });
    const cap = 3 * bytes;
    const watcher = watch(['--source', `door=${camera}`, '--source', `yard=${camera}`, '--realtime', '--store', store, '--model', 'palette', '--clip-seconds', '1', '--max-storage', `door=${cap}B`, '--max-storage', '1GB']);
    // Pruning runs after a source's first clip.
    await Promise.all(['door', 'yard'].map((name) => watcher.next((e) => e.type === 'clip' && e.source === name)));
    watcher.child.kill('SIGTERM');
    expect(await watcher.exit).toEqual({ code: 0, stderr: '' });
    const [door, yard] = old.map((files) => files.filter((f) => existsSync(f)));
    // The door's newest old minutes, with the one being written under its cap; the yard's all there.
    expect(door).toEqual(old[0]!.slice(10 - door.length));
    expect(door.length).toBeGreaterThanOrEqual(2);
    expect(door.length * bytes).toBeLessThanOrEqual(cap);
    expect(yard).toEqual(old[1]);
    // Both were recorded by this watch too.
    for (const id of ids) expect(readdirSync(join(store, 'recordings', String(id))).some((name) => parseInt(name) > hourAgo + 600)).toBe(true);
  }, 60_000);

  it('refuses a bad per-source retention value, or one for a source it does not watch, in one line and exit status 2', async () => {
    const store = join(tempDir('vidmem-watch-'), 's');
    const sources = ['--source', 'door=udp://127.0.0.1:9', '--source', 'yard=udp://127.0.0.1:9', '--store', store, '--model', 'palette'];
    const oneLine = async (args: string[]) => {
      const { code, stderr } = await vidmem(['watch', ...sources, ...args]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      return stderr.trim();
    };
    expect(await oneLine(['--max-storage', 'door=lots'])).toBe("error: option '--max-storage <[name=]size>' argument 'door=lots' is invalid. give a size such as 500MB, 20GB or 1.5TB");
    expect(await oneLine(['--retain', 'door=soon'])).toMatch(/^error: option '--retain <\[name=\]duration>' argument 'door=soon' is invalid\. give a duration such as 90s/);
    expect(await oneLine(['--retain', 'gate=7d'])).toBe('vidmem: --retain names a source "gate" that is not watched here (the sources: door, yard)');
    expect(await oneLine(['--retain', '7d', '--retain-memories', 'yard=1d'])).toBe(
      'vidmem: memories of yard kept for 1d would go before the recordings kept for 7d that they point to; keep them at least as long (--retain-memories ≥ --retain)',
    );
  });
});
