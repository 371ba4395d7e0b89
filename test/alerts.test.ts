/**
 * Standing questions end to end: rules added, listed and removed with the CLI; a generated video
 * with two red stretches among grey and blue ingested with a text rule raises exactly those two
 * events; a webhook that fails twice gets each event once.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderSegments, type Segment } from '../src/sources/synthetic-video.js';
import { runProcess } from '../src/sources/run-process.js';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { BIN, tempDir, vidmem } from './helpers/cli.js';
import { detectorAvailable } from './helpers/models.js';
import { haveVtest, VTEST } from './helpers/video-frames.js';
import { grabFrame } from '../src/sources/grab-frame.js';
import { probeVideo } from '../src/sources/probe.js';
import type { ClipDetection } from '../src/core/detections.js';
import { MemoryStore } from '../storage/memory-store.js';

const full = (seconds: number, colour: string): Segment => ({ seconds, layout: { full: colour } });
/** Red at 12–18 s and 36–42 s; 2-second clips line up with every stretch. */
const SEGMENTS = [full(6, 'dimgray'), full(6, 'blue'), full(6, 'red'), full(6, 'dimgray'), full(6, 'blue'), full(6, 'dimgray'), full(6, 'red'), full(6, 'blue')];
/** Every frame encoded: a grey picture is static, and static clips are merged. */
const INGEST = ['--model', 'palette', '--clip-seconds', '2', '--repeat-threshold', '0'];

let dir: string;
let video: string;

beforeAll(async () => {
  dir = tempDir('vidmem-alerts-');
  video = join(dir, 'street.mp4');
  await renderSegments(video, SEGMENTS, { motion: true });
});

interface EventJson {
  type: string;
  id: number;
  rule: { id: number; name: string };
  start: number;
  end: number;
  score: number;
  evidence: { clipId: number; thumbnail: string | null; snapshot: string | null };
}

describe('vidmem alerts', () => {
  it('adds, lists and removes rules, and refuses bad ones in one line', async () => {
    const store = join(dir, 'rules');
    const added = await vidmem(['alerts', 'add', '--text', 'a red car', '--source', 'door', '--store', store]);
    expect(added).toMatchObject({ code: 0, stderr: '', stdout: "added alert rule 1: a red car: text 'a red car' at 4σ above its source's usual; source door; cool-down 30s\n" });
    const object = await vidmem(['alerts', 'add', '--object', 'someone', '--min-count', '2', '--min-seconds', '3', '--name', 'crowd', '--cooldown', '2m', '--store', store, '--json']);
    expect(JSON.parse(object.stdout)).toMatchObject({ id: 2, name: 'crowd', source: null, cooldownSec: 120, condition: { kind: 'object', object: 'someone', minCount: 2, minSeconds: 3 } });
    const listed = await vidmem(['alerts', 'list', '--store', store]);
    expect(listed.stdout).toBe(
      "   1  a red car: text 'a red car' at 4σ above its source's usual; source door; cool-down 30s\n" +
        '   2  crowd: object someone ≥ 2 for 3 s; every source and file; cool-down 2m\n',
    );
    const zoned = await vidmem(['alerts', 'add', '--object', 'person', '--zone', 'lawn', '--store', store]);
    expect(zoned).toMatchObject({ code: 0, stdout: 'added alert rule 3: person: object person in zone lawn; every source and file; cool-down 30s\n' });
    const confirmed = await vidmem(['alerts', 'add', '--text', 'red car', '--confirm', 'vehicle', '--store', store]);
    expect(confirmed).toMatchObject({ code: 0, stdout: "added alert rule 4: red car: text 'red car' at 4σ above its source's usual, confirmed by the detector seeing vehicle; every source and file; cool-down 30s\n" });

    const bad: Array<[string[], RegExp]> = [
      [['alerts', 'add'], /^vidmem: say what to alert on: --text "a red car", --image example\.jpg or --object person \(one of them\)\n$/],
      [['alerts', 'add', '--text', 'red', '--object', 'person'], /one of them/],
      [['alerts', 'add', '--object', 'unicorn'], /^vidmem: --object unicorn: not something the detector finds/],
      [['alerts', 'add', '--text', 'red', '--confirm', 'unicorn'], /^vidmem: --confirm unicorn: not something the detector finds/],
      [['alerts', 'add', '--object', 'person', '--confirm', 'car'], /--sigma and --confirm are for --text and --image rules/],
      [['alerts', 'add', '--text', 'red', '--min-count', '2'], /--min-count, --min-seconds and --zone are for --object rules/],
      [['alerts', 'add', '--text', 'red', '--zone', 'lawn'], /--min-count, --min-seconds and --zone are for --object rules/],
      [['alerts', 'add', '--object', 'person', '--zone', 'my lawn'], /^vidmem: zone name 'my lawn': use letters, digits, - and _/],
      [['alerts', 'add', '--text', 'red', '--sigma', '0'], /--sigma must be a number from 0\.5 to 100, got '0'/],
      [['alerts', 'add', '--text', 'red', '--name', 'crowd'], /already has an alert rule named "crowd"/],
      [['alerts', 'rm', '7'], /^vidmem: store .* has no alert rule 7 \(`vidmem alerts list` lists them\)\n$/],
      [['alerts', 'rm', 'x'], /a rule id must be a positive whole number/],
      [['events', '--rule', '9'], /has no alert rule 9/],
    ];
    for (const [args, message] of bad) {
      const result = await vidmem([...args, '--store', store]);
      expect({ args, code: result.code === 0 ? 0 : 'failed', stderr: result.stderr }).toEqual({ args, code: 'failed', stderr: expect.stringMatching(message) });
      expect(result.stderr.trim().split('\n')).toHaveLength(result.stderr.includes('run with --help') ? 2 : 1);
    }
    // A bad zone stops ingest and watch before they start: one line, exit status 2.
    const badZones: Array<[string[], RegExp]> = [
      [['ingest', video, '--zone', 'lawn=0,0,1,0'], /^vidmem: --zone lawn=0,0,1,0: 2 corners are not a polygon; give NAME=x1,y1,/],
      [['ingest', video, '--zone', 'lawn=0,0.5,1,0.5,1'], /5 numbers are not x,y pairs/],
      [['ingest', video, '--zone', 'a=0,0,1,0,1,1', '--zone', 'a=0,0,1,1,0,1'], /^vidmem: --zone a is given twice; give each zone its own name\n$/],
      [['watch', 'udp://127.0.0.1:9', '--zone', 'lawn=0,0,1.5,0,1,1'], /^vidmem: --zone lawn=0,0,1.5,0,1,1: a coordinate lies outside 0\.\.1/],
    ];
    for (const [args, message] of badZones) {
      const result = await vidmem([...args, '--store', store, '--model', 'palette']);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 2, stderr: expect.stringMatching(message) });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }

    expect(await vidmem(['alerts', 'rm', '1', '--store', store])).toMatchObject({ code: 0, stdout: 'removed alert rule 1 (a red car); the events it raised are kept\n' });
    expect(JSON.parse((await vidmem(['alerts', '--store', store, '--json'])).stdout).rules.map((r: { id: number }) => r.id)).toEqual([2, 3, 4]);
  });

  it('raises exactly one event per red stretch of an ingested video, at its times, and none in between; a webhook that fails twice gets each once', async () => {
    const store = join(dir, 'ingest');
    const received: Array<{ id: number; start: number }> = [];
    let requests = 0;
    const server: Server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (s: string) => (body += s));
      request.on('end', () => {
        requests += 1;
        if (requests <= 2) {
          response.writeHead(500).end();
          return;
        }
        received.push(JSON.parse(body) as EventJson);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      expect((await vidmem(['alerts', 'add', '--text', 'red', '--cooldown', '10s', '--store', store])).code).toBe(0);
      // A rule on another camera's clips only is not applied to files.
      expect((await vidmem(['alerts', 'add', '--text', 'blue', '--source', 'door', '--store', store])).code).toBe(0);
      const result = await vidmem(['ingest', video, ...INGEST, '--store', store, '--json', '--webhook', url]);
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as EventJson);
      const alerts = lines.filter((l) => l.type === 'alert');
      // Told as they begin: the first clip of each stretch.
      expect(alerts.map((a) => [a.rule.name, a.start, a.end])).toEqual([['red', 12, 14], ['red', 36, 38]]);
      expect(alerts[0]!.score).toBeGreaterThan(4);
      expect(alerts[0]!.evidence.thumbnail).toMatch(/thumbs\/1\/6\.jpg$/);
      // The two failures (of one alert or of both, which are sent side by side) are one line each on stderr, and the ingest went on.
      const failures = result.stderr.trim().split('\n');
      expect(failures).toHaveLength(2);
      for (const line of failures) expect(line).toMatch(/^vidmem: webhook http:\/\/127\.0\.0\.1:\d+\/hook: HTTP 500 for alert [12]; trying again in [12] s$/);
      // Delivered once each: nothing is sent again once the server said yes.
      expect(received.map((e) => e.id).sort()).toEqual([1, 2]);
      expect(requests).toBe(4);

      // Kept with their whole stretch once it ended.
      const events = JSON.parse((await vidmem(['events', '--store', store, '--json'])).stdout).events as EventJson[];
      expect(events.map((e) => [e.id, e.start, e.end])).toEqual([[2, 36, 42], [1, 12, 18]]);
      const text = await vidmem(['events', '--rule', '1', '--store', store]);
      expect(text.stdout).toMatch(/^alert 2 'red' on .*street\.mp4 at 00:36–00:42 \(score \d+\.\d\d\), keyframe .*thumbs\/1\/18\.jpg\nalert 1 'red' on .*street\.mp4 at 00:12–00:18/);
      expect((await vidmem(['events', '--rule', '2', '--store', store])).stdout).toBe('no events yet\n');
    } finally {
      server.close();
    }
  });

  it('raises an image rule, one to five example pictures, at the red stretches as a text rule does, and refuses bad examples in one line', async () => {
    const store = join(dir, 'image-rule');
    const ffmpeg = mediaTools().ffmpeg.path;
    const picture = async (name: string, colour: string) => {
      const path = join(dir, name);
      expect((await runProcess(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${colour}:s=320x240`, '-frames:v', '1', path])).code).toBe(0);
      return path;
    };
    const [red, darkRed] = [await picture('red-car.png', 'red'), await picture('dark-red.jpg', '0xdd0000')];
    const noModel = await vidmem(['alerts', 'add', '--image', red, '--store', store]);
    expect(noModel).toMatchObject({ code: 2, stderr: "vidmem: an image rule needs the store's model to see its pictures with: ingest or watch a video first\n" });
    const first = join(dir, 'grey.mp4');
    await renderSegments(first, [full(4, 'dimgray')], { motion: true });
    expect((await vidmem(['ingest', first, ...INGEST, '--store', store])).code).toBe(0);

    const refused: Array<[string[], RegExp]> = [
      [['--image', red, '--text', 'red'], /one of them/],
      [Array.from({ length: 6 }, () => ['--image', red]).flat(), /an image rule takes 1 to 5 example pictures, got 6/],
      [['--image', join(dir, 'nowhere.png')], /^vidmem: --image .*nowhere\.png: not a picture ffmpeg can read \(.*\)\n$/],
      [['--image', red, '--min-count', '2'], /are for --object rules/],
    ];
    for (const [args, message] of refused) {
      const result = await vidmem(['alerts', 'add', ...args, '--store', store]);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 2, stderr: expect.stringMatching(message) });
    }
    const added = await vidmem(['alerts', 'add', '--image', red, '--image', darkRed, '--cooldown', '10s', '--store', store, '--json']);
    expect(added.code, added.stderr).toBe(0);
    // Its vector is the store's model's, kept in the store and not shown.
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 1, name: 'like red-car.png, dark-red.jpg', condition: { kind: 'image', images: ['red-car.png', 'dark-red.jpg'], sigma: 4 } });
    expect(JSON.parse(added.stdout).condition.vector).toBeUndefined();
    expect((await vidmem(['alerts', 'list', '--store', store])).stdout).toBe(
      "   1  like red-car.png, dark-red.jpg: like red-car.png, dark-red.jpg at 4σ above its source's usual; every source and file; cool-down 10s\n",
    );

    const result = await vidmem(['ingest', video, ...INGEST, '--store', store, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const alerts = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as EventJson).filter((l) => l.type === 'alert');
    expect(alerts.map((a) => [a.rule.name, a.start, a.end])).toEqual([['like red-car.png, dark-red.jpg', 12, 14], ['like red-car.png, dark-red.jpg', 36, 38]]);
  });

  it('events --follow prints each event as another process raises it, after the --last ones, until SIGTERM', async () => {
    const store = join(dir, 'follow');
    expect((await vidmem(['alerts', 'add', '--text', 'red', '--cooldown', '10s', '--store', store])).code).toBe(0);
    expect((await vidmem(['ingest', video, ...INGEST, '--store', store])).code).toBe(0);
    const follower = spawn(process.execPath, [BIN, 'events', '--follow', '--last', '1', '--json', '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: EventJson[] = [];
    let waiting: { count: number; resolve: () => void } | undefined;
    createInterface({ input: follower.stdout }).on('line', (line) => {
      lines.push(JSON.parse(line) as EventJson);
      if (waiting && lines.length >= waiting.count) waiting.resolve();
    });
    const ended = new Promise<number | null>((resolve) => follower.once('close', resolve));
    const seen = (count: number) =>
      Promise.race([
        new Promise<void>((resolve) => (lines.length >= count ? resolve() : (waiting = { count, resolve }))),
        ended.then((code) => Promise.reject(new Error(`events --follow ended (${code}) after ${lines.length} lines`))),
      ]);
    try {
      // The latest event of the first ingest, then the two a second video raises.
      await seen(1);
      expect(lines.map((e) => [e.id, e.start])).toEqual([[2, 36]]);
      const again = join(dir, 'street-again.mp4');
      await renderSegments(again, [...SEGMENTS, full(6, 'dimgray')], { motion: true });
      expect((await vidmem(['ingest', again, ...INGEST, '--store', store])).code).toBe(0);
      await seen(3);
      expect(lines.map((e) => [e.type, e.id, e.start])).toEqual([['alert', 2, 36], ['alert', 3, 12], ['alert', 4, 36]]);
      follower.kill('SIGTERM');
      expect(await ended).toBe(0);
    } finally {
      follower.kill('SIGKILL');
    }
  });

  it('watch --json prints an alert line when a live source turns red, in its wall-clock time, and --webhook gets the same JSON', async () => {
    const camera = join(dir, 'camera.mp4');
    await renderSegments(camera, [full(4, 'blue'), full(4, 'dimgray'), full(3, 'red'), full(4, 'blue')], { motion: true });
    const store = join(dir, 'live');
    expect((await vidmem(['alerts', 'add', '--text', 'red', '--store', store])).code).toBe(0);
    const posted: Array<Record<string, unknown>> = [];
    const hook: Server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (s: string) => (body += s));
      request.on('end', () => {
        posted.push(JSON.parse(body) as Record<string, unknown>);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
    const began = Date.now() / 1000;
    const child = spawn(process.execPath, [BIN, 'watch', camera, '--realtime', '--name', 'cam', ...INGEST, '--clip-seconds', '1', '--store', store, '--json', '--webhook', webhook], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const alert = await new Promise<Record<string, unknown>>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const event = JSON.parse(line) as Record<string, unknown>;
          if (event.type === 'alert') resolve(event);
        });
        child.on('close', (code) => reject(new Error(`watch ended (${code}) without an alert`)));
      });
      expect(alert).toMatchObject({ type: 'alert', rule: { id: 1, name: 'red' }, source: 'cam', evidence: { clipId: expect.any(Number), thumbnail: expect.stringMatching(/\.jpg$/) } });
      // Red is 8–11 s into the stream (a frame dropped on a busy machine may put it a clip later), at that wall-clock time.
      expect(alert.start).toBeGreaterThanOrEqual(8);
      expect(alert.start).toBeLessThan(11);
      const startsAt = Date.parse(String(alert.startsAt)) / 1000;
      expect(startsAt).toBeGreaterThan(began + 6);
      expect(startsAt).toBeLessThan(Date.now() / 1000);
      expect(String(alert.startsAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
      // The same JSON went to the webhook, before the watch ended.
      expect(posted).toContainEqual(alert);
    } finally {
      child.kill('SIGKILL');
      hook.close();
    }
    const listed = await vidmem(['events', '--store', store]);
    expect(listed.stdout).toMatch(/^alert 1 'red' on cam at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d–\d\d:\d\d:\d\d \(score \d+\.\d\d\), keyframe .*, snippet .*snippets\/1\.mp4\n$/);
    // The snippet is a playable cut of the recording from before the red began: cut when the watch stopped, from what was recorded.
    const [event] = JSON.parse((await vidmem(['events', '--store', store, '--json'])).stdout).events as Array<EventJson & { evidence: { snippet: string } }>;
    expect(new TextDecoder().decode(readFileSync(event!.evidence.snippet).subarray(4, 8))).toBe('ftyp');
    expect((await probeVideo(event!.evidence.snippet, mediaTools().ffmpeg)).durationSec).toBeGreaterThan(3);
  }, 90_000);
});

describe('a watch restarted while an appearance goes on', () => {
  /** `vidmem watch --json` of a file played as camera `cam` until `enough` says so from the lines so far; then SIGTERM. */
  async function watchUntil(camera: string, store: string, enough: (lines: Array<Record<string, unknown>>) => boolean): Promise<Array<Record<string, unknown>>> {
    const child = spawn(process.execPath, [BIN, 'watch', camera, '--realtime', '--name', 'cam', ...INGEST, '--clip-seconds', '1', '--store', store, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Array<Record<string, unknown>> = [];
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          lines.push(JSON.parse(line) as Record<string, unknown>);
          if (enough(lines)) resolve();
        });
        child.on('close', (code) => reject(new Error(`watch ended (${code}) too soon: ${JSON.stringify(lines)}`)));
      });
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await closed;
      return lines;
    } finally {
      child.kill('SIGKILL');
    }
  }

  it('goes on with the event the last watch raised, within its cool-down, instead of raising it again', async () => {
    const store = join(dir, 'restarted');
    expect((await vidmem(['alerts', 'add', '--text', 'red', '--store', store])).code).toBe(0);
    const before = join(dir, 'before.mp4');
    await renderSegments(before, [full(4, 'blue'), full(4, 'dimgray'), full(6, 'red')], { motion: true });
    const first = await watchUntil(before, store, (lines) => lines.some((l) => l.type === 'alert'));
    expect(first.filter((l) => l.type === 'alert')).toHaveLength(1);
    const raised = JSON.parse((await vidmem(['events', '--store', store, '--json'])).stdout).events as EventJson[];

    // The camera comes back still red: the same appearance, a few seconds later.
    const after = join(dir, 'after.mp4');
    await renderSegments(after, [full(4, 'red'), full(4, 'blue')], { motion: true });
    const second = await watchUntil(after, store, (lines) => lines.filter((l) => l.type === 'clip').length >= 6);
    expect(second.filter((l) => l.type === 'alert')).toEqual([]);
    const kept = JSON.parse((await vidmem(['events', '--store', store, '--json'])).stdout).events as EventJson[];
    expect(kept.map((e) => e.id)).toEqual([raised[0]!.id]);
    // Its end moved on to the red clips of the second watch.
    expect(kept[0]!.end).toBeGreaterThan(raised[0]!.end + 2);
  }, 90_000);
});

describe.skipIf(!haveVtest() || !(await detectorAvailable()))('an object rule on street footage', () => {
  it('raises one event per stretch with people, by the detector\'s counts, and none for the empty street between', async () => {
    const footage = join(dir, 'people.mp4');
    // 8 s of people walking, 12 s of an empty grey picture, 8 s of people again.
    const made = await runProcess(mediaTools().ffmpeg.path, [
      '-hide_banner', '-loglevel', 'error', '-y', '-t', '8', '-i', VTEST, '-f', 'lavfi', '-i', 'color=c=dimgray:s=768x576:r=10:d=12', '-ss', '30', '-t', '8', '-i', VTEST,
      '-filter_complex', '[0:v]fps=10,format=yuv420p,setsar=1[a];[1:v]format=yuv420p,setsar=1[b];[2:v]fps=10,format=yuv420p,setsar=1[c];[a][b][c]concat=n=3:v=1:a=0[v]',
      '-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', footage,
    ]);
    expect(made.code).toBe(0);
    const store = join(dir, 'street');
    expect((await vidmem(['alerts', 'add', '--object', 'someone', '--min-count', '2', '--cooldown', '5s', '--store', store])).code).toBe(0);
    const result = await vidmem(['ingest', footage, ...INGEST, '--detect', 'on', '--store', store]);
    expect(result.code).toBe(0);
    const events = JSON.parse((await vidmem(['events', '--store', store, '--json'])).stdout).events as EventJson[];
    expect(events.map((e) => [e.rule.name, e.start, e.end])).toEqual([['someone', 20, 28], ['someone', 0, 8]]);
    // The score of an object rule is the count seen.
    expect(events.every((e) => e.score >= 2)).toBe(true);
  }, 120_000);
});

describe.skipIf(!haveVtest() || !(await detectorAvailable()))('zones and snapshots on street footage', () => {
  /** Where people walk in vtest.avi: the lower half of the picture. No one stands in its top tenth (the wall and windows). */
  const ZONES = ['--zone', 'street=0,0.5,1,0.5,1,1,0,1', '--zone', 'top=0,0,1,0,1,0.1,0,0.1'];

  it('raises events for a zone where people walk and none for an empty one, keeps the boxes, and draws the counted ones on the snapshot', async () => {
    const store = join(dir, 'zones');
    for (const [name, zone] of [['street', ['--zone', 'street']], ['top', ['--zone', 'top']], ['anywhere', []]] as const) {
      expect((await vidmem(['alerts', 'add', '--object', 'person', '--name', name, ...zone, '--store', store])).code).toBe(0);
    }
    const result = await vidmem(['ingest', VTEST, '--model', 'palette', '--preset', 'surveillance', '--detect', 'on', ...ZONES, '--store', store]);
    expect(result.code).toBe(0);
    const events = JSON.parse((await vidmem(['events', '--store', store, '--json'])).stdout).events as EventJson[];
    const of = (name: string) => events.filter((e) => e.rule.name === name);
    expect(of('street').length).toBeGreaterThan(0);
    expect(of('anywhere').length).toBeGreaterThan(0);
    expect(of('top')).toEqual([]);

    const event = of('street').at(-1)!;
    const reader = MemoryStore.open(store, { readonly: true });
    let detections: ClipDetection[];
    try {
      detections = reader.videos.detectionsOf(event.evidence.clipId);
    } finally {
      reader.close();
    }
    expect(detections.length).toBeGreaterThan(0);
    for (const { box } of detections) {
      for (const edge of [box.x, box.y, box.x + box.width, box.y + box.height]) expect(edge).toBeGreaterThanOrEqual(0), expect(edge).toBeLessThanOrEqual(1);
    }
    // The zone a box is in is where its bottom-centre stands.
    for (const d of detections) expect(d.zones.includes('street')).toBe(d.box.y + d.box.height >= 0.5);
    const counted = detections.filter((d) => d.label === 'person' && d.zones.includes('street'));
    expect(event.score).toBe(counted.length);

    // The snapshot is the frame the detector looked at with the counted boxes drawn: on a box's
    // edge the picture changed, inside the box it did not (beyond JPEG's noise).
    const { default: sharp } = await import('sharp');
    const snapshot = readFileSync(event.evidence.snapshot!);
    expect([...snapshot.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const ffmpeg = mediaTools().ffmpeg;
    const frame = await grabFrame(await probeVideo(VTEST, ffmpeg), counted[0]!.time, ffmpeg);
    const drawn = await sharp(snapshot).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([drawn.info.width, drawn.info.height]).toEqual([frame.width, frame.height]);
    const difference = (x0: number, y0: number, x1: number, y1: number) => {
      let sum = 0;
      let n = 0;
      for (let y = Math.round(y0); y <= Math.round(y1); y++) {
        for (let x = Math.round(x0); x <= Math.round(x1); x++) {
          for (let c = 0; c < 3; c++) sum += Math.abs(drawn.data[(y * frame.width + x) * 3 + c]! - frame.rgb[(y * frame.width + x) * 3 + c]!);
          n += 3;
        }
      }
      return sum / n;
    };
    const insides = counted.map(({ box }) => {
      const [left, right, bottom] = [box.x * frame.width, (box.x + box.width) * frame.width, (box.y + box.height) * frame.height];
      expect(difference(left, Math.min(bottom, frame.height - 1), right, Math.min(bottom, frame.height - 1))).toBeGreaterThan(40);
      return difference(left + 0.3 * (right - left), bottom - 0.6 * box.height * frame.height, right - 0.3 * (right - left), bottom - 0.4 * box.height * frame.height);
    });
    // Where people overlap, another box's edge may cross one's middle: most middles are untouched.
    expect(insides.filter((d) => d < 12).length).toBeGreaterThanOrEqual(Math.ceil(insides.length / 2));
    const listed = await vidmem(['events', '--store', store, '--rule', '1', '--last', '1']);
    expect(listed.stdout).toMatch(/^alert \d+ 'street' on \S*vtest\.avi at \d\d:\d\d–\d\d:\d\d \(score \d\.00\), keyframe .*\.jpg, snapshot .*snapshots\/\d+-1\.jpg\n$/);
  }, 180_000);
});
