/**
 * `vidmem serve` over real HTTP on 127.0.0.1: the API a web page and scripts use, its safety
 * (token, Host, traversal, bad bodies) and its description.
 */
import { readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNIPPET_BEFORE } from '../pipelines/event-snippets.js';
import { Presenter } from '../src/server/present.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { tempDir, vidmem } from './helpers/cli.js';
import { serve, stop, type Served } from './helpers/serve.js';
import { colourStore } from './helpers/colour-store.js';
import { MemoryStore } from '../storage/memory-store.js';

/** The events of a server-sent event stream, in order. */
async function readEvents(response: Response): Promise<Array<{ event: string; data: any }>> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: eventLine!.slice('event: '.length), data: JSON.parse(dataLine!.slice('data: '.length)) };
    });
}

/** A server-sent event stream read as it arrives, with each event's id. */
async function* readServerEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; id: number | undefined; data: any }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      if (field('event') === undefined) continue;
      yield { event: field('event')!, id: field('id') === undefined ? undefined : Number(field('id')), data: JSON.parse(field('data')!) };
    }
  }
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

let dir: string;
let store: string;
let video: string;
let server: Served | undefined;

beforeAll(async () => {
  dir = tempDir();
  ({ store, video } = await colourStore(dir));
  server = await serve(['--store', store]);
});

afterAll(async () => {
  await stop(server);
});

describe('vidmem serve', () => {
  it('says it is up, and lists the videos', async () => {
    expect(await (await fetch(`${server!.base}/health`)).json()).toMatchObject({ status: 'ok', videos: 1, model: 'palette', saves: true });
    const { videos } = await (await fetch(`${server!.base}/api/videos`)).json();
    expect(videos).toEqual([expect.objectContaining({ id: 1, path: video, status: 'complete', media: '/api/videos/1/media', source: null })]);
    expect(await (await fetch(`${server!.base}/api/videos/1`)).json()).toEqual(videos[0]);
    expect((await fetch(`${server!.base}/api/videos/99`)).status).toBe(404);
  });

  it('finds moments, with URLs of their keyframe and of the video to play', async () => {
    const { results } = await (await fetch(`${server!.base}/api/search?q=blue&top=1`)).json();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ videoId: 1, start: 8, end: 16, media: '/api/videos/1/media', mediaStart: 8 });
    const keyframe = await fetch(`${server!.base}${results[0].thumbnail}`);
    expect(keyframe.headers.get('content-type')).toBe('image/jpeg');
    expect([...new Uint8Array(await keyframe.arrayBuffer()).subarray(0, 2)]).toEqual([0xff, 0xd8]);
  });

  it('streams an answer: the evidence first, then the text, then the whole of it', async () => {
    const response = await fetch(`${server!.base}/api/ask`, { ...json({ question: 'when is it green?', explain: true }), headers: { 'content-type': 'application/json', accept: 'text/event-stream' } });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    expect(events[0]).toMatchObject({ event: 'selection', data: { evidence: [expect.objectContaining({ start: 16, end: 24 })], explain: expect.objectContaining({ decisions: expect.any(Array) }) } });
    expect(events.filter((e) => e.event === 'text').length).toBeGreaterThan(0);
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.answer).toContain('[00:16–00:24]');
    // The keyframe is the evidence's URL; a path on the server's disk is not for the client (the terminal's answer names it).
    expect(done.data.answer).not.toContain(store);
    expect(done.data.answer).not.toContain('keyframe:');
    expect(done.data.answer).toBe(events.filter((e) => e.event === 'text').map((e) => e.data.text).join(''));
  });

  it('answers as one JSON object when no stream is asked for', async () => {
    const answer = await (await fetch(`${server!.base}/api/ask`, json({ question: 'when is it red?' }))).json();
    expect(answer).toMatchObject({ answer: expect.stringContaining('[00:00–00:08]'), evidence: [expect.objectContaining({ start: 0, end: 8 })], selected: 1 });
  });

  it('keeps a chat: the first turn makes the session, a follow-up builds on it, the history is there', async () => {
    const first = await (await fetch(`${server!.base}/api/chats`, json({ question: 'when is it red?' }))).json();
    expect(first).toMatchObject({ session: expect.any(Number), turn: expect.any(Number), answer: expect.stringContaining('[00:00–00:08]') });
    const events = await readEvents(await fetch(`${server!.base}/api/chats/${first.session}/turns`, { ...json({ question: 'and after that?' }), headers: { 'content-type': 'application/json', accept: 'text/event-stream' } }));
    const evidence = events.find((e) => e.event === 'selection')!.data.evidence as Array<{ start: number }>;
    expect(Math.min(...evidence.map((e) => e.start))).toBeGreaterThanOrEqual(8);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { session: first.session } });
    const history = await (await fetch(`${server!.base}/api/chats/${first.session}`)).json();
    expect(history.turns.map((t: { question: string }) => t.question)).toEqual(['when is it red?', 'and after that?']);
  });

  it('serves the video with range requests, so that a player can seek into it', async () => {
    const whole = await fetch(`${server!.base}/api/videos/1/media`);
    const size = Number(whole.headers.get('content-length'));
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    const bytes = new Uint8Array(await whole.arrayBuffer());
    const part = await fetch(`${server!.base}/api/videos/1/media`, { headers: { range: `bytes=${size - 100}-` } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes ${size - 100}-${size - 1}/${size}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(size - 100));
  });

  it('runs an ingest as a job that can be followed to its end, and finds what it stored', async () => {
    const second = join(dir, 'second.mp4');
    await renderSegments(second, [{ seconds: 8, layout: { full: 'magenta' } }], { motion: true });
    const started = await fetch(`${server!.base}/api/ingest`, json({ path: second }));
    expect(started.status).toBe(202);
    const job = await started.json();
    const states = await readEvents(await fetch(`${server!.base}/api/jobs/${job.id}`, { headers: { accept: 'text/event-stream' } }));
    expect(states.at(-1)).toMatchObject({ event: 'job', data: { status: 'done', progress: 1, videoId: 2 } });
    const { results } = await (await fetch(`${server!.base}/api/search?q=magenta&top=1`)).json();
    expect(results[0]).toMatchObject({ videoId: 2 });
  });

  it('sees videos another process stored while it runs', async () => {
    const third = join(dir, 'third.mp4');
    await renderSegments(third, [{ seconds: 8, layout: { full: 'yellow' } }], { motion: true });
    expect((await vidmem(['ingest', third, '--store', store])).code).toBe(0);
    const { results } = await (await fetch(`${server!.base}/api/search?q=yellow&top=1`)).json();
    expect(results[0]).toMatchObject({ path: third });
  });

  it('removes a video: its moments are no longer found, and it is gone from the library', async () => {
    const videos = (await (await fetch(`${server!.base}/api/videos`)).json()).videos as Array<{ id: number; path: string; clips: number }>;
    const yellow = videos.find((v) => v.path.endsWith('third.mp4'))!;
    const removed = await fetch(`${server!.base}/api/videos/${yellow.id}`, { method: 'DELETE' });
    expect(await removed.json()).toEqual({ id: yellow.id, clips: yellow.clips });
    const { results } = await (await fetch(`${server!.base}/api/search?q=yellow&top=20`)).json();
    expect((results as Array<{ videoId: number }>).map((m) => m.videoId)).not.toContain(yellow.id);
    expect((await fetch(`${server!.base}/api/videos/${yellow.id}`)).status).toBe(404);
    const again = await fetch(`${server!.base}/api/videos/${yellow.id}`, { method: 'DELETE' });
    expect({ status: again.status, error: (await again.json()).error }).toEqual({ status: 404, error: expect.stringMatching(`has no video ${yellow.id}`) });
  });

  it('watches a live source until told to stop, and cuts a playable MP4 of its recording', async () => {
    const camera = join(dir, 'camera.mp4');
    await renderSegments(camera, [{ seconds: 4, layout: { full: 'red' } }, { seconds: 8, layout: { full: 'blue' } }], { motion: true });
    const started = await fetch(`${server!.base}/api/sources`, json({ name: 'cam', url: camera, realtime: true }));
    expect(started.status).toBe(202);
    expect((await fetch(`${server!.base}/api/sources`, json({ name: 'cam', url: camera, realtime: true }))).status).toBe(400);
    const listed = async () => ((await (await fetch(`${server!.base}/api/sources`)).json()).sources as Array<{ name: string; clips: number; watching: boolean; from: string | null }>).find((s) => s.name === 'cam');
    for (let i = 0; i < 120 && !((await listed())?.clips ?? 0); i++) await new Promise((r) => setTimeout(r, 250));
    expect(await listed()).toMatchObject({ watching: true, clips: expect.any(Number) });
    const busy = await fetch(`${server!.base}/api/sources/cam`, { method: 'DELETE' });
    expect({ status: busy.status, error: (await busy.json()).error }).toEqual({ status: 409, error: expect.stringContaining('stop it first') });
    const stopped = await fetch(`${server!.base}/api/sources/cam/watch`, { method: 'DELETE' });
    expect(await stopped.json()).toEqual({ name: 'cam', watching: false });
    const source = (await listed())!;
    expect(source).toMatchObject({ watching: false });
    expect(source.clips).toBeGreaterThan(0);
    expect(await (await fetch(`${server!.base}/api/sources/cam`)).json()).toEqual(source);
    const missing = await fetch(`${server!.base}/api/sources/nowhere`);
    expect({ status: missing.status, error: (await missing.json()).error }).toEqual({ status: 404, error: expect.stringContaining("has no source 'nowhere'") });
    const { results } = await (await fetch(`${server!.base}/api/search?q=red&top=10`)).json();
    const live = (results as Array<{ startsAt?: string; media: string }>).find((m) => m.startsAt !== undefined)!;
    expect(live.media).toMatch(/^\/api\/sources\/cam\/clip\?at=.+&seconds=\d+$/);
    const cut = await fetch(`${server!.base}${live.media}`);
    expect({ status: cut.status, type: cut.headers.get('content-type'), error: cut.ok ? undefined : await cut.clone().text() }).toEqual({ status: 200, type: 'video/mp4', error: undefined });
    expect(new TextDecoder().decode(new Uint8Array(await cut.arrayBuffer()).subarray(4, 8))).toBe('ftyp');
    expect((await fetch(`${server!.base}/api/sources/nowhere/clip?at=${encodeURIComponent(source.from!)}&seconds=2`)).status).toBe(404);

    // Removed with everything of it: no source, no live moment, no recording left.
    const recordings = join(store, 'recordings');
    expect(readdirSync(recordings)).toHaveLength(1);
    const removed = await fetch(`${server!.base}/api/sources/cam`, { method: 'DELETE' });
    expect(await removed.json()).toEqual({ name: 'cam', clips: source.clips });
    expect((await fetch(`${server!.base}/api/sources/cam`)).status).toBe(404);
    expect((await fetch(`${server!.base}/api/sources/cam`, { method: 'DELETE' })).status).toBe(404);
    const after = (await (await fetch(`${server!.base}/api/search?q=red&top=10`)).json()).results as Array<{ startsAt?: string }>;
    expect(after.filter((m) => m.startsAt !== undefined)).toEqual([]);
    expect(readdirSync(recordings)).toEqual([]);
  });

  it('keeps standing questions: added, listed, removed, and their events listed', async () => {
    const added = await fetch(`${server!.base}/api/alerts`, json({ text: 'magenta', name: 'pink' }));
    expect(added.status).toBe(201);
    const rule = await added.json();
    expect(rule).toMatchObject({ id: expect.any(Number), name: 'pink', condition: { kind: 'text', text: 'magenta' } });
    expect((await (await fetch(`${server!.base}/api/alerts`)).json()).rules).toEqual([expect.objectContaining({ id: rule.id, name: 'pink' })]);
    expect(await (await fetch(`${server!.base}/api/events?rule=${rule.id}`)).json()).toEqual({ events: [] });
    const neither = await fetch(`${server!.base}/api/alerts`, json({ name: 'nothing' }));
    expect(neither.status).toBe(400);
    expect((await neither.json()).error).toMatch(/text|object/);
    expect((await fetch(`${server!.base}/api/alerts/${rule.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${server!.base}/api/alerts/${rule.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await (await fetch(`${server!.base}/api/alerts`)).json()).rules).toEqual([]);
  });

  it("gives an object rule's event with the URL of its snapshot, which serves the JPEG", async () => {
    const added = await (await fetch(`${server!.base}/api/alerts`, json({ object: 'person', zone: 'lawn', name: 'lawn' }))).json();
    expect(added).toMatchObject({ condition: { kind: 'object', object: 'person', zone: 'lawn' } });
    const { default: sharp } = await import('sharp');
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff0000' } }).jpeg().toBuffer();
    // Written as a watch in another process would.
    const writer = MemoryStore.open(store);
    try {
      const clip = writer.videos.clipsOf(1)[0]!;
      writer.alerts.raise({ ruleId: added.id, ruleName: 'lawn', videoId: 1, source: null, path: video, start: clip.start, end: clip.end, startedAt: null, score: 1, clipId: clip.clipId }, jpeg);
    } finally {
      writer.close();
    }
    const { events } = await (await fetch(`${server!.base}/api/events?rule=${added.id}`)).json();
    expect(events).toHaveLength(1);
    expect(events[0].evidence).toMatchObject({ thumbnail: expect.stringMatching(/^\/api\/thumbnails\/1\/0\.jpg$/), snapshot: `/api/snapshots/${events[0].evidence.clipId}-${added.id}.jpg` });
    const served = await fetch(`${server!.base}${events[0].evidence.snapshot}`);
    expect([served.status, served.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(jpeg);
    expect((await fetch(`${server!.base}/api/snapshots/..%2Fvidmem.db`)).status).toBe(400);
    expect((await fetch(`${server!.base}/api/snapshots/9-9.jpg`)).status).toBe(404);
    expect((await fetch(`${server!.base}/api/alerts/${added.id}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('answers malformed requests with a 4xx that names what is wrong, and goes on serving', async () => {
    const cases: Array<[string, RequestInit | undefined, number, RegExp]> = [
      ['/api/search', undefined, 400, /required property 'q'/],
      ['/api/search?q=red&top=0', undefined, 400, /top must be >= 1/],
      ['/api/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"question":' }, 400, /not valid JSON/],
      ['/api/ask', json({ question: { text: 'red' } }), 400, /question must be string/],
      ['/api/ask', json({ question: 'red', videoId: 99 }), 404, /has no video 99/],
      ['/api/ask', json({ question: 'x'.repeat(300_000) }), 413, /too large/i],
      ['/api/ingest', json({ path: join(dir, 'missing.mp4') }), 400, /no file at/],
      ['/api/alerts', json({ images: [] }), 400, /images must NOT have fewer than 1 items/],
      ['/api/ingest', json({ path: video, zones: ['lawn=0,0,1'] }), 400, /--zone lawn=0,0,1: 3 numbers are not x,y pairs/],
      ['/api/ingest', json({ path: video, detectFps: 50 }), 400, /detectFps must be <= 10/],
      ['/api/sources', json({ name: 'gate', url: video, realtime: true, zones: ['x'] }), 400, /--zone x/],
      ['/api/alerts', json({ images: [join(dir, 'missing.png')] }), 400, /--image .*missing\.png: not a picture ffmpeg can read/],
      ['/api/chats/77/turns', json({ question: 'and then?' }), 404, /no chat session 77/],
      ['/api/jobs/99', undefined, 404, /no job 99/],
      ['/api/videos/abc', undefined, 400, /id must be integer/],
      ['/api/nothing', undefined, 404, /no route GET \/api\/nothing/],
    ];
    for (const [path, init, status, message] of cases) {
      const response = await fetch(`${server!.base}${path}`, init);
      expect({ path, status: response.status }).toEqual({ path, status });
      expect((await response.json()).error).toMatch(message);
    }
    expect((await fetch(`${server!.base}/health`)).status).toBe(200);
    // A watch refused for its zones is not left counting as watched.
    expect(((await (await fetch(`${server!.base}/api/sources`)).json()).sources as Array<{ name: string }>).map((s) => s.name)).not.toContain('gate');
  });

  it('never serves a file outside the store and its registered videos', async () => {
    symlinkSync('/etc/passwd', join(store, 'thumbs', '1', '999.jpg'));
    for (const path of ['/api/thumbnails/1/..%2F..%2Fvidmem.db', '/api/thumbnails/1/%2e%2e%2f%2e%2e%2fvidmem.db', '/api/thumbnails/1/../../vidmem.db', '/api/thumbnails/..%2F..%2F..%2Fetc/passwd', '/api/thumbnails/1/999.jpg', '/api/videos/1/media/../../../etc/passwd']) {
      const response = await fetch(`${server!.base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: expect.toSatisfy((s: number) => s === 400 || s === 404) });
      expect(await response.text()).not.toContain('root:');
    }
  });

  it('answers only requests addressed to this machine by name', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      request(`${server!.base}/health`, { headers: { host: 'attacker.example:8765' } }, (res) => resolve(res.statusCode!)).on('error', reject).end();
    });
    expect(status).toBe(403);
  });

  it('describes every route it has at /openapi.json', async () => {
    const doc = await (await fetch(`${server!.base}/openapi.json`)).json();
    const paths = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(paths.sort()).toEqual([
      'DELETE /api/alerts/{id}', 'GET /api/alerts', 'POST /api/alerts', 'GET /api/events',
      'DELETE /api/jobs/{id}', 'DELETE /api/sources/{name}', 'DELETE /api/sources/{name}/watch', 'DELETE /api/videos/{id}', 'GET /api/chats', 'GET /api/chats/{id}', 'GET /api/jobs', 'GET /api/jobs/{id}',
      'GET /api/search', 'GET /api/snapshots/{file}', 'GET /api/snippets/{file}', 'GET /api/sources', 'GET /api/sources/{name}', 'GET /api/sources/{name}/clip', 'GET /api/thumbnails/{videoId}/{file}', 'GET /api/videos', 'GET /api/videos/{id}',
      'GET /api/videos/{id}/media', 'GET /health', 'POST /api/ask', 'POST /api/chats', 'POST /api/chats/{id}/turns', 'POST /api/ingest', 'POST /api/sources',
    ].sort());
    expect(doc.paths['/api/search'].get.parameters.map((p: { name: string }) => p.name)).toContain('q');
  });
});

describe("vidmem serve's event stream", () => {
  const full = (seconds: number, colour: string) => ({ seconds, layout: { full: colour } });

  it('sends each event as a standing question raises it, resumes from Last-Event-ID, and lets the server stop while it is open', async () => {
    // A text rule needs a store that knows its model.
    const { store: eventsStore } = await colourStore(tempDir('vidmem-events-'), [full(8, 'blue')]);
    const own = await serve(['--store', eventsStore]);
    try {
      const street = join(dir, 'street.mp4');
      // Red at 24–30 s and 48–54 s, after grey and blue: the rule's baseline is the video's own usual, and it needs a few clips.
      const usual = [full(6, 'dimgray'), full(6, 'blue')];
      await renderSegments(street, [...usual, ...usual, full(6, 'red'), ...usual, full(6, 'dimgray'), full(6, 'red'), full(6, 'blue')], { motion: true });
      const ingest = async (path: string) => {
        const job = await (await fetch(`${own.base}/api/ingest`, json({ path }))).json();
        const follow = await fetch(`${own.base}/api/jobs/${job.id}`, { headers: { accept: 'text/event-stream' } });
        expect((await readEvents(follow)).at(-1)!.data.status).toBe('done');
      };
      expect((await fetch(`${own.base}/api/alerts`, json({ text: 'red', name: 'red', cooldownSec: 10 }))).status).toBe(201);

      const stream = await fetch(`${own.base}/api/events`, { headers: { accept: 'text/event-stream' } });
      expect({ status: stream.status, type: stream.headers.get('content-type') }).toEqual({ status: 200, type: 'text/event-stream; charset=utf-8' });
      const events = readServerEvents(stream.body!);
      await ingest(street);
      const alerts = [(await events.next()).value!, (await events.next()).value!];
      expect(alerts.map((a) => [a.event, a.data.rule.name, a.data.path])).toEqual([['alert', 'red', street], ['alert', 'red', street]]);
      const [one, two] = alerts.map((a) => a.data);
      expect([one.start, two.start]).toEqual([24, 48]);
      expect(one).toMatchObject({ media: `/api/videos/${one.videoId}/media`, mediaStart: one.start, evidence: { thumbnail: expect.stringMatching(/^\/api\/thumbnails\/.+\.jpg$/) } });
      expect((await fetch(`${own.base}${one.evidence.thumbnail}`)).headers.get('content-type')).toBe('image/jpeg');
      expect(alerts.map((a) => a.id)).toEqual([one.id, two.id]);

      // A client that lost its connection after the first event gets the second again, and nothing older.
      const resumed = readServerEvents((await fetch(`${own.base}/api/events`, { headers: { accept: 'text/event-stream', 'last-event-id': String(one.id) } })).body!);
      expect((await resumed.next()).value).toMatchObject({ event: 'alert', id: two.id });
      expect((await fetch(`${own.base}/api/events?rule=99`, { headers: { accept: 'text/event-stream' } })).status).toBe(404);

      // Two streams still open: the server ends them and stops.
      expect(await stop(own)).toBe(0);
      expect((await events.next()).done).toBe(true);
    } finally {
      await stop(own);
    }
  });
});

describe('vidmem serve beyond this machine', () => {
  it('refuses to listen beyond this machine without a token', async () => {
    const result = await vidmem(['serve', '--store', store, '--host', '0.0.0.0', '--port', '0']);
    expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(/--host 0\.0\.0\.0 reaches beyond this machine: give --token/) });
  });

  it('with a token, answers 401 to requests without it, and serves those that carry it', async () => {
    const guarded = await serve(['--store', store, '--host', '0.0.0.0', '--token', 's3cret']);
    try {
      const port = new URL(guarded.base).port;
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/api/videos`)).status).toBe(401);
      expect((await fetch(`${base}/api/videos`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`${base}/openapi.json`)).status).toBe(401);
      expect((await fetch(`${base}/api/videos`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
      expect((await fetch(`${base}/api/videos/1/media?access_token=s3cret`)).status).toBe(200);
    } finally {
      expect(await stop(guarded)).toBe(0);
    }
  });
});

describe("an event's media", () => {
  const event = { id: 4, ruleId: 1, ruleName: 'red', videoId: 7, source: 'door', path: 'door', start: 30, end: 34, startedAt: 1_800_000_000, score: 6, clipId: 9, thumbnail: null, snapshot: null, raisedAt: '2027-01-15T08:00:30.000Z' };
  const present = new Presenter('/store', () => 'door');

  it('is its snippet, from where the event began in it, once it has one', () => {
    expect(present.event({ ...event, snippet: '/store/snippets/4.mp4' })).toMatchObject({ media: '/api/snippets/4.mp4', mediaStart: SNIPPET_BEFORE, evidence: { snippet: '/api/snippets/4.mp4' } });
  });

  it('is a cut of the recording until then', () => {
    expect(present.event({ ...event, snippet: null })).toMatchObject({ media: expect.stringMatching(/^\/api\/sources\/door\/clip\?at=/), evidence: { snippet: null } });
  });
});
