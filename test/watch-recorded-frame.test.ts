/**
 * The frame the object detector looks at while watching is the clip's own moment, read back from
 * the recording: a camera published over HTTP (ffmpeg `-listen 1`) that turns red and grey again
 * at known seconds, watched with a detector that only says which colour it was given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { lastValueFrom, Subject, takeUntil, timer, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/core/config.js';
import type { RgbFrame } from '../src/detection/resize-frame.js';
import { TokenMergeDistiller } from '../src/memory/token-merge-distiller.js';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { MemoryStore } from '../storage/memory-store.js';
import { watchSource } from '../pipelines/watch-source.js';
import { tempDir } from './helpers/cli.js';
import { openVision } from './helpers/models.js';
import { closedPort } from './helpers/ports.js';

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

/** Red from 5.5 s to 10.5 s and from 15.5 s to 20.5 s into the video, grey around. */
const RED = [[5.5, 10.5], [15.5, 20.5]] as const;
const isRed = (t: number) => RED.some(([from, to]) => t >= from && t < to);

describe('vidmem watch --detect with a recording', () => {
  it('looks at the frame of the clip\'s own moment, not one from a second or two before', async () => {
    const dir = tempDir('vidmem-recorded-frame-');
    const video = join(dir, 'camera.mp4');
    const spans = [5.5, 5, 5, 5, 4.5];
    await renderSegments(video, spans.map((seconds, i) => ({ seconds, layout: { full: i % 2 === 1 ? 'red' : 'gray' } })), { motion: true });
    const port = await closedPort();
    const publisher = spawn(mediaTools().ffmpeg.path, ['-hide_banner', '-loglevel', 'quiet', '-re', '-i', video, '-c', 'copy', '-f', 'mpegts', '-listen', '1', `http://127.0.0.1:${port}/`], { stdio: 'ignore' });
    running.push(publisher);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const store = MemoryStore.open(join(dir, 'store'));
    const encoder = await openVision('palette');
    store.bindModel(encoder.identity);
    const stop$ = new Subject<void>();
    publisher.once('close', () => timer(3000).subscribe(() => stop$.next()));
    // Says "person" for a red frame, "car" for a grey one.
    const detect = async (frame: RgbFrame) => {
      let red = 0;
      for (let i = 0; i < frame.rgb.length; i += 3) red += frame.rgb[i]! > 2 * frame.rgb[i + 1]! ? 1 : 0;
      const box = { x: 0, y: 0, width: 1, height: 1 };
      return [{ label: red > frame.rgb.length / 6 ? 'person' : 'car', classId: 0, score: 0.9, box }];
    };
    const settings = { ...DEFAULTS.ingest, sampling: 'fps' as const, fps: 1, clipSeconds: 2, repeatThreshold: 0 };
    const events = await lastValueFrom(
      watchSource(
        { name: 'cam', url: `http://127.0.0.1:${port}/`, realtime: false },
        { store, encoder, distiller: new TokenMergeDistiller({ tokens: 8, propagate: true }), settings, batchSize: 16, tools: mediaTools(), record: true, detect, stallTimeoutMs: 20_000, stop$ },
      ).pipe(takeUntil(timer(60_000)), toArray()),
    );
    const { videoId } = events.find((e) => e.type === 'clip')! as Extract<(typeof events)[number], { type: 'clip' }>;
    const clips = store.videos.clipsOf(videoId).map((c) => c.clipId);
    const seen = [...store.videos.clipTexts(clips).values()].flat().filter((t) => t.channel === 'detector').sort((a, b) => a.start - b.start);
    store.close();
    // The publisher waits for the watch to connect and sends its video from the first frame: the segment's time t is the video's.
    // A seek into a recorded MPEG-TS file lands on the frame asked for or up to a keyframe (1 s here) after it, so only
    // frames whose colour holds for that second are told apart.
    const clear = seen.filter((t) => isRed(t.start) === isRed(t.start + 1.05));
    expect(clear.length).toBeGreaterThanOrEqual(6);
    // Each clip's text tells the colour the camera showed at the time of the frame it was read from.
    expect(clear.map((t) => [t.start, t.text])).toEqual(clear.map((t) => [t.start, isRed(t.start) ? '1 person' : '1 car']));
  }, 90_000);
});
