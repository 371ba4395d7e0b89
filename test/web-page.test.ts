/**
 * The web page in a real browser against `vidmem serve` as a user starts it: search, play a result
 * from its moment, ask and follow a citation, on a wide screen and a phone's. The server wants a
 * token, so the page's `#token=` is tested too: as a header for the API, in the URL for media.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citedParts } from '../src/server/page/citations.js';
import type { Moment } from '../src/server/page/types.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { BIN, tempDir, vidmem } from './helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'page-test-token';

/** Red from 12 s, so that playing it from its start is a seek and not where a video begins anyway. */
const SEGMENTS = [
  { seconds: 6, layout: { left: 'blue', right: 'yellow' } },
  { seconds: 6, layout: { full: 'green' } },
  { seconds: 6, layout: { full: 'red' } },
] as const;

let dir: string;
let server: ChildProcess;
let origin: string;
let browser: Browser;
let page: Page;
const mediaRequests: string[] = [];

function startServer(store: string): Promise<string> {
  server = spawn(process.execPath, [BIN, 'serve', '--store', store, '--port', '0', '--token', TOKEN], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    server.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      const address = stderr.match(/serving .* at (http:\/\/127\.0\.0\.1:\d+)\//)?.[1];
      if (address) resolve(address);
    });
    server.on('close', (code) => reject(new Error(`vidmem serve ended (${code}): ${stderr}`)));
  });
}

/** Where the player's last seek landed: read at `seeked`, since a playing video moves on. */
function lastSeek(): Promise<number | null> {
  return page.evaluate(() => (window as unknown as { lastSeek: number | null }).lastSeek);
}

/** Does `action` and waits for the player to land within half a second of `seconds`. */
async function seeksTo(seconds: number, action: () => Promise<unknown>): Promise<void> {
  await page.evaluate(() => ((window as unknown as { lastSeek: number | null }).lastSeek = null));
  await action();
  await expect.poll(lastSeek, { timeout: 10_000 }).not.toBeNull();
  expect(Math.abs((await lastSeek())! - seconds)).toBeLessThan(0.5);
}

async function screenshotIsAPicture(): Promise<Buffer> {
  const png = await page.screenshot({ fullPage: true });
  const { channels } = await sharp(png).stats();
  expect(channels.some((c) => c.max > c.min)).toBe(true);
  return png;
}

describe.skipIf(!existsSync(CHROMIUM))(`the web page (skipped without Chromium at ${CHROMIUM})`, () => {
  beforeAll(async () => {
    dir = tempDir('vidmem-page-');
    const video = join(dir, 'colours.mp4');
    const store = join(dir, 'store');
    await renderSegments(video, SEGMENTS, { motion: true });
    const ingest = await vidmem(['ingest', video, '--store', store, '--model', 'palette']);
    expect(ingest.code, ingest.stderr).toBe(0);
    origin = await startServer(store);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(() =>
      document.addEventListener('seeked', (event) => ((window as unknown as { lastSeek: number }).lastSeek = (event.target as HTMLVideoElement).currentTime), true),
    );
    page.on('request', (request) => {
      if (request.url().includes('/media')) mediaRequests.push(request.url());
    });
    await page.goto(`${origin}/#token=${TOKEN}`);
  });

  afterAll(async () => {
    await browser?.close();
    if (server?.exitCode === null) {
      const closed = new Promise((resolve) => server.once('close', resolve));
      server.kill('SIGTERM');
      await closed;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names the store and lists its library', async () => {
    await expect.poll(() => page.textContent('#store-name')).toBe('store');
    const video = page.locator('#library .video');
    await expect.poll(() => video.textContent()).toMatch(/colours\.mp4.*complete.*5 clips · 00:18/);
  });

  it('shows search results as cards on a timeline; a card plays the video from its moment with its text', async () => {
    await page.fill('#q', 'red');
    await page.press('#q', 'Enter');
    const first = page.locator('#results .card').first();
    await first.waitFor();
    expect(await first.textContent()).toContain('00:12–00:18');
    expect(await page.locator('#results .timeline .mark').count()).toBeGreaterThan(0);
    expect(await first.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

    await seeksTo(12, () => first.click());
    // A frame to show, not only the file's header: this Chromium decodes the H.264 test video.
    await expect.poll(() => page.$eval('#player', (video: HTMLVideoElement) => video.readyState)).toBeGreaterThanOrEqual(2);
    expect(mediaRequests.at(-1)).toContain(`/api/videos/1/media?access_token=${TOKEN}`);
    expect(await page.textContent('#player-caption')).toContain('colours.mp4 00:12–00:18');
  });

  it('streams an answer whose citation seeks the player; a follow-up goes to the same session', async () => {
    await seeksTo(2, () => page.evaluate(() => (document.querySelector<HTMLVideoElement>('#player')!.currentTime = 2)));
    await page.fill('#question', 'when is it red?');
    await page.press('#question', 'Enter');
    const cite = page.locator('#turns .answer a.cite').first();
    await cite.waitFor();
    expect(await cite.textContent()).toBe('[00:12–00:18] colours.mp4');
    await seeksTo(12, () => cite.click());

    const why = page.locator('#turns details.explain').first();
    await why.locator('summary').click();
    expect(await why.locator('tbody tr.kept').count()).toBeGreaterThan(0);

    const followUp = page.waitForRequest((request) => request.method() === 'POST' && /\/api\/chats\/\d+\/turns$/.test(request.url()));
    await page.fill('#question', 'and before that?');
    await page.press('#question', 'Enter');
    await followUp;
    await expect.poll(() => page.locator('#turns .turn').count()).toBe(2);
    await page.locator('#turns .turn').nth(1).locator('.answer:not([aria-busy])').waitFor();
  });

  it('lists earlier chats after a reload; one opened shows its turns with working citations, and goes on', async () => {
    await page.reload();
    const earlier = page.locator('#past-chats');
    await earlier.locator('summary').waitFor();
    await earlier.locator('summary').click();
    const listed = page.locator('#past-chats-list li');
    await expect.poll(() => listed.allTextContents()).toEqual([expect.stringMatching(/^when is it red\? · 2 turns · \d{4}-\d\d-\d\d \d\d:\d\d$/)]);
    await listed.first().locator('button').click();
    await expect.poll(() => page.locator('#turns .turn .question').allTextContents()).toEqual(['when is it red?', 'and before that?']);
    const cite = page.locator('#turns .turn').first().locator('a.cite').first();
    expect(await cite.textContent()).toBe('[00:12–00:18] colours.mp4');
    await seeksTo(12, () => cite.click());

    const session = (await (await fetch(`${origin}/api/chats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).sessions[0].id as number;
    const followUp = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith(`/api/chats/${session}/turns`));
    await page.fill('#question', 'and after that?');
    await page.press('#question', 'Enter');
    await followUp;
    await page.locator('#turns .turn').nth(2).locator('.answer:not([aria-busy])').waitFor();
  });

  it('is a picture on a wide screen and fits a phone without scrolling sideways', async () => {
    await screenshotIsAPicture();
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshotIsAPicture();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('ingests a file named on the page, shows its progress to the end, and then finds it', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const second = join(dir, 'magenta.mp4');
    await renderSegments(second, [{ seconds: 8, layout: { full: 'magenta' } }], { motion: true });
    await page.click('#manage summary');
    await page.fill('#ingest-path', second);
    await page.press('#ingest-path', 'Enter');
    const job = page.locator('#jobs .job').first();
    await expect.poll(() => job.textContent(), { timeout: 30_000 }).toMatch(/magenta\.mp4.*done · \d+ clips/);
    expect(await job.locator('progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);
    await expect.poll(() => page.locator('#library .video').allTextContents()).toContainEqual(expect.stringMatching(/magenta\.mp4.*complete/));
    await page.fill('#q', 'magenta');
    await page.press('#q', 'Enter');
    await expect.poll(() => page.locator('#results h3').first().textContent()).toBe('magenta.mp4');

    // Limited to one video, a search finds nothing in the others.
    expect(await page.locator('#scope option').allTextContents()).toEqual(['all videos', 'colours.mp4', 'magenta.mp4']);
    await page.selectOption('#scope', { label: 'colours.mp4' });
    await page.press('#q', 'Enter');
    await expect.poll(() => page.textContent('#results')).toBe('Nothing matches “magenta”.');
    await page.selectOption('#scope', { label: 'magenta.mp4' });
    await page.press('#q', 'Enter');
    await expect.poll(() => page.locator('#results h3').allTextContents()).toEqual(['magenta.mp4']);
    await page.selectOption('#scope', { label: 'all videos' });
  });

  it('says in one line why a file cannot be ingested', async () => {
    await page.fill('#ingest-path', join(dir, 'missing.mp4'));
    await page.press('#ingest-path', 'Enter');
    await expect.poll(() => page.textContent('#status')).toContain('no file at');
  });

  it('removes a video once the person says yes, and keeps it when they say no', async () => {
    const remove = page.getByRole('button', { name: 'remove magenta.mp4' });
    page.once('dialog', (dialog) => void dialog.dismiss());
    await remove.click();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await page.locator('#library .video').allTextContents()).toContainEqual(expect.stringContaining('magenta.mp4'));
    page.once('dialog', (dialog) => void dialog.accept());
    await remove.click();
    await expect.poll(() => page.locator('#library .video').allTextContents()).not.toContainEqual(expect.stringContaining('magenta.mp4'));
    expect(await page.locator('#library .video').allTextContents()).toContainEqual(expect.stringContaining('colours.mp4'));
  });

  it('shows events as the standing questions raise them, each with its keyframe, and plays an event from its moment', async () => {
    expect(await page.textContent('#events')).toContain('No events yet');
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const added = await fetch(`${origin}/api/alerts`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'red', name: 'red', cooldownSec: 10 }) });
    expect(added.status).toBe(201);
    // Red at 24–30 s and 48–54 s, after enough grey and blue for the rule to know the video's usual.
    const street = join(dir, 'street.mp4');
    const usual = [{ seconds: 6, layout: { full: 'dimgray' } }, { seconds: 6, layout: { full: 'blue' } }] as const;
    const red = { seconds: 6, layout: { full: 'red' } } as const;
    await renderSegments(street, [...usual, ...usual, red, ...usual, usual[0], red, usual[1]], { motion: true });
    const job = await fetch(`${origin}/api/ingest`, { method: 'POST', headers: auth, body: JSON.stringify({ path: street }) });
    expect(job.status).toBe(202);

    // Newest first, as they come, with no reload of the page.
    const events = page.locator('#events .event');
    await expect.poll(() => events.count(), { timeout: 30_000 }).toBe(2);
    expect(await events.allTextContents()).toEqual([expect.stringMatching(/^red00:48–00:5\dstreet\.mp4 · score/), expect.stringMatching(/^red00:24–00:(2|3)\dstreet\.mp4 · score/)]);
    expect(await events.first().locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.getByText('No events yet').isHidden()).toBe(true);
    await seeksTo(48, () => events.first().click());
    expect(await page.textContent('#player-caption')).toContain('street.mp4 00:48');
  });

  it('watches a camera named on the page, shows its clips as they come, and stops it', async () => {
    const camera = join(dir, 'camera.mp4');
    // A picture that changes every clip: a static one is held back as one growing clip until it changes.
    const colours = ['red', 'blue', 'green', 'yellow'] as const;
    await renderSegments(camera, Array.from({ length: 12 }, (_, i) => ({ seconds: 4, layout: { full: colours[i % 4]! } })), { motion: true });
    await page.fill('#watch-name', 'door');
    await page.fill('#watch-url', camera);
    await page.check('#watch input[name="realtime"]');
    await page.click('#watch button[type="submit"]');
    const source = page.locator('#library .source').filter({ hasText: 'door' });
    await expect.poll(() => source.textContent(), { timeout: 40_000 }).toMatch(/door.*watching.*[1-9]\d* clips/);
    await page.getByRole('button', { name: 'stop watching door' }).click();
    await expect.poll(() => source.textContent(), { timeout: 20_000 }).not.toContain('watching');
  });

  it('says so when it is opened without the token', async () => {
    const stranger = await browser.newPage();
    await stranger.goto(origin);
    await expect.poll(() => stranger.textContent('#status')).toContain('token');
    await stranger.close();
  });
});

describe("the page's citations", () => {
  const moment = (videoId: number, path: string, start: number, end: number, wall?: [string, string]): Moment => ({
    videoId, path, start, end, score: 0.5, thumbnail: null, media: `/api/videos/${videoId}/media`, mediaStart: start, text: [],
    ...(wall ? { startsAt: wall[0], endsAt: wall[1] } : {}),
  });
  const a = moment(1, '/v/a.mp4', 12, 18);
  const b = moment(2, '/v/b.mp4', 12, 18);
  const long = moment(1, '/v/a.mp4', 3725, 3731);
  const live = moment(3, 'rtsp://cam', 5, 9, ['2026-12-01T23:59:58.000+01:00', '2026-12-02T00:00:02.000+01:00']);
  const linked = (answer: string, evidence: Moment[]) =>
    citedParts(answer, evidence).map((p) => (typeof p === 'string' ? p : { text: p.text, videoId: p.moment.videoId }));

  it('link a range to the moment of the file named after it', () => {
    expect(linked('Red at [00:12–00:18] b.mp4, then [1:02:05–1:02:11] a.mp4.', [a, b, long])).toEqual([
      'Red at ', { text: '[00:12–00:18] b.mp4', videoId: 2 }, ', then ', { text: '[1:02:05–1:02:11] a.mp4', videoId: 1 }, '.',
    ]);
  });

  it('link a range alone only when one moment has it, and wall-clock ranges of live sources', () => {
    expect(linked('[00:12–00:18]', [a])).toEqual([{ text: '[00:12–00:18]', videoId: 1 }]);
    expect(linked('[00:12–00:18] and [note]', [a, b])).toEqual(['[00:12–00:18] and [note]']);
    expect(linked('[00:12–00:18] c.mp4', [a])).toEqual(['[00:12–00:18] c.mp4']);
    expect(linked('seen [2026-12-01 23:59:58–2026-12-02 00:00:02]', [live])).toEqual(['seen ', { text: '[2026-12-01 23:59:58–2026-12-02 00:00:02]', videoId: 3 }]);
  });
});
