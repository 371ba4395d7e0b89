/**
 * The detector channel end to end: `vidmem ingest --detect on` and `vidmem watch` on the street
 * camera of ../shared/media/opencv (skipped without it, or without the detector), and the words
 * people use for what it finds.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { parseZones } from '../src/core/zones.js';
import { countedDetections } from '../src/alerts/object-counts.js';
import { describeDetections, detectObjects } from '../src/detection/detect-objects.js';
import { queryTerms } from '../src/selection/query-terms.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { BIN, tempDir, vidmem } from './helpers/cli.js';
import { detectorAvailable } from './helpers/models.js';
import { haveVtest, VTEST } from './helpers/video-frames.js';

const box = { x: 0, y: 0, width: 0.1, height: 0.1 };

describe('what the detector saw, in words', () => {
  it('counts by label, the most first', () => {
    const seen = (label: string) => ({ label, classId: 0, score: 0.5, box });
    expect(describeDetections([seen('car'), seen('person'), seen('person'), seen('truck'), seen('person')])).toBe('3 person, 1 car, 1 truck');
    expect(describeDetections([])).toBe('');
  });

  it('is found by the words people use: someone, people, a van, vehicles', () => {
    expect(queryTerms('when did someone walk by?')).toEqual(['someone', 'person', 'walk']);
    expect(queryTerms('how many people')).toEqual(['many', 'people', 'person']);
    expect(queryTerms('was there a van')).toEqual(['van', 'car', 'truck']);
    expect(queryTerms('vehicles parked')).toEqual(['vehicles', 'car', 'truck', 'bus', 'motorcycle', 'parked']);
  });
});

describe('detectObjects', () => {
  it('looks at a clip only where the picture moved, and carries the last finding, boxes and zones, over a still one', async () => {
    const still = new Uint8Array(224 * 224 * 3).fill(40);
    const moved = Uint8Array.from(still, (v, i) => (i < still.length / 10 ? 200 : v));
    const clip = (start: number, rgb: Uint8Array) => ({ clip: { start, end: start + 4, frames: [{ time: start + 1, rgb, width: 224, height: 224 }] } });
    const looked: number[] = [];
    const found = await lastValueFrom(
      from([clip(0, still), clip(4, still), clip(8, moved)]).pipe(
        detectObjects({
          detect: async () => [{ label: 'person', classId: 0, score: 0.6, box }],
          grab: async (time) => {
            looked.push(time);
            return { rgb: Uint8Array.of(time, 0, 0), width: 1, height: 1 };
          },
          zones: parseZones(['corner=0,0,0.2,0,0.2,0.2,0,0.2', 'below=0,0.5,1,0.5,1,1,0,1']),
        }),
        toArray(),
      ),
    );
    expect(looked).toEqual([1, 9]);
    expect(found.map((c) => c.texts)).toEqual([
      [{ channel: 'detector', text: '1 person', start: 1, end: 4, confidence: 0.6 }],
      [{ channel: 'detector', text: '1 person', start: 4, end: 8, confidence: 0.6 }],
      [{ channel: 'detector', text: '1 person', start: 9, end: 12, confidence: 0.6 }],
    ]);
    // The box's bottom-centre (0.05, 0.1) stands in the corner; a still clip keeps the frame it was found in.
    expect(found.map((c) => c.detections)).toEqual([1, 1, 9].map((time) => [{ label: 'person', classId: 0, score: 0.6, box, time, zones: ['corner'] }]));
    expect(found.map((c) => c.detectedIn.map((f) => f.frame.rgb[0]))).toEqual([[1], [1], [9]]);
  });
});

describe('detectObjects with --detect-fps', () => {
  it('looks at a moving picture once each interval, within a clip too, says what the busiest frame showed, and counts frames apart', async () => {
    const frame = (time: number) => ({ time, rgb: new Uint8Array(300).fill(time * 50), width: 10, height: 10 });
    const clip = { clip: { start: 0, end: 4, frames: [0, 1, 2, 3].map(frame) } };
    const person = (x: number) => ({ label: 'person', classId: 0, score: 0.6, box: { ...box, x } });
    const looked: number[] = [];
    const [seen] = await lastValueFrom(
      from([clip]).pipe(
        detectObjects({
          // One person at 0 s, two at 2 s.
          detect: async (f) => (f.rgb[0] === 0 ? [person(0.1)] : [person(0.1), person(0.5)]),
          grab: async (time, encoded) => {
            looked.push(time);
            return encoded;
          },
          interval: 2,
        }),
        toArray(),
      ),
    );
    expect(looked).toEqual([0, 2]);
    expect(seen!.texts).toEqual([{ channel: 'detector', text: '2 person', start: 2, end: 4, confidence: 0.6 }]);
    expect(seen!.detections.map((d) => [d.time, d.box.x])).toEqual([[0, 0.1], [2, 0.1], [2, 0.5]]);
    expect(seen!.detectedIn.map((f) => f.time)).toEqual([0, 2]);
    // Three boxes in two frames are two people at most.
    expect(countedDetections(seen!.detections, ['person'], null).map((d) => d.time)).toEqual([2, 2]);
  });
});

describe('a detector that cannot be had', () => {
  it('is told in one line by the surveillance preset, which goes on without it; --detect on fails', async () => {
    const dir = tempDir('vidmem-detect-');
    const video = join(dir, 'street.mp4');
    await renderSegments(video, [{ seconds: 2, layout: { full: 'gray' } }], { motion: true });
    // A cache without the detector, and no network to fetch it.
    const env = { VIDMEM_CACHE: join(dir, 'empty-cache'), VIDMEM_OFFLINE: '1' };
    const preset = await vidmem(['ingest', video, '--store', join(dir, 's1'), '--model', 'palette', '--preset', 'surveillance', '--json'], { env });
    expect(preset.code).toBe(0);
    expect(preset.stderr).toMatch(/^vidmem: no object detector \(the centernet model is not in .* offline mode is on .*\); ingesting without finding people and vehicles \(--detect on fetches it, --detect off says so once and for all\)\n$/);
    expect(JSON.parse(preset.stdout)).toMatchObject({ clips: 1, detectFrames: 0 });
    const asked = await vidmem(['ingest', video, '--store', join(dir, 's2'), '--model', 'palette', '--detect', 'on'], { env });
    expect(asked).toMatchObject({ code: 1, stderr: expect.stringMatching(/^vidmem: the centernet model is not in .*offline mode is on/) });
  });
});

describe.skipIf(!haveVtest() || !(await detectorAvailable()))('vidmem ingest --detect on a street camera', () => {
  it('stores what it saw with each clip, so "someone" and "a car" find it with the palette model', async () => {
    const store = join(tempDir('vidmem-detect-'), 'store');
    // The surveillance preset turns the detector on.
    const ingest = await vidmem(['ingest', VTEST, '--store', store, '--model', 'palette', '--preset', 'surveillance', '--json']);
    expect(ingest.code, ingest.stderr).toBe(0);
    const summary = JSON.parse(ingest.stdout);
    expect(summary.detectFrames).toBeGreaterThan(0);
    expect(summary.detectFrames).toBeLessThanOrEqual(summary.clips);

    const [walker] = JSON.parse((await vidmem(['search', 'when did someone walk by', '--store', store, '--json'])).stdout).results;
    expect(walker.text[0]).toMatchObject({ channel: 'detector', text: expect.stringMatching(/\d+ person/) });
    const asked = JSON.parse((await vidmem(['ask', 'was there a car?', '--store', store, '--json'])).stdout);
    expect(asked.answer).toMatch(/detector: "[^"]*\d+ car/);
  }, 180_000);
});

describe.skipIf(!haveVtest() || !(await detectorAvailable()))('vidmem watch --detect on a street camera', () => {
  it('finds the people walking by, clip by clip as it watches, in its wall-clock time', async () => {
    const store = join(tempDir('vidmem-detect-'), 'store');
    // A standing question on what the detector sees, applied while watching.
    expect((await vidmem(['alerts', 'add', '--object', 'someone', '--min-count', '2', '--store', store])).code).toBe(0);
    // And two on zones of the camera: its lower half, where people walk, and its top tenth, where no one stands.
    for (const zone of ['near', 'top']) expect((await vidmem(['alerts', 'add', '--object', 'person', '--zone', zone, '--name', zone, '--store', store])).code).toBe(0);
    const zones = ['--zone', 'near=0,0.5,1,0.5,1,1,0,1', '--zone', 'top=0,0,1,0,1,0.1,0,0.1'];
    const child = spawn(process.execPath, [BIN, 'watch', VTEST, '--realtime', '--name', 'street', '--store', store, '--model', 'palette', '--detect', 'on', ...zones, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let clips = 0;
    const alerts: Array<{ startsAt: string; rule: { name: string }; evidence: { snapshot: string | null } }> = [];
    for await (const line of createInterface({ input: child.stdout })) {
      const event = JSON.parse(line) as (typeof alerts)[number] & { type: string };
      if (event.type === 'clip') clips += 1;
      if (event.type === 'alert') alerts.push(event);
      // People walk by from the first seconds; four clips are 16 s of the street.
      if (clips === 4) child.kill('SIGTERM');
    }
    expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: '' });
    expect(alerts.map((a) => a.rule.name).sort()).toEqual(['near', 'someone']);
    expect(alerts[0]!.startsAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(alerts.find((a) => a.rule.name === 'near')!.evidence.snapshot).toMatch(/snapshots\/\d+-2\.jpg$/);
    const { results } = JSON.parse((await vidmem(['search', 'when did someone walk by', '--store', store, '--json'])).stdout);
    expect(results[0].startsAt).toBeDefined();
    expect(results[0].text[0]).toMatchObject({ channel: 'detector', text: expect.stringMatching(/\d+ person/) });
    // The street has several people at once, as the ingest of the same footage finds.
    const most = Math.max(...results.flatMap((m: { text: Array<{ text: string }> }) => m.text.map((t) => Number(/(\d+) person/.exec(t.text)?.[1] ?? 0))));
    expect(most).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
