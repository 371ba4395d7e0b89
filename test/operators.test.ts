import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { from, lastValueFrom, map, Subject, tap, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { FrameBudget } from '../src/frames/frame-budget.js';
import { decodeFrames } from '../src/sources/decode-frames.js';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { probeVideo } from '../src/sources/probe.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { clipWindows } from '../src/clipping/clip-windows.js';
import { markRepeats } from '../src/frames/mark-repeats.js';
import { batchWhileBusy } from '../src/encoders/batch-while-busy.js';
import { newEvents } from '../src/alerts/new-events.js';
import type { EncodedFrame, Frame, SampledFrame } from '../src/core/clips.js';
import { tempDir } from './helpers/cli.js';

function encoded(time: number, repeat: boolean, value = 1): EncodedFrame {
  return { index: Math.round(time), time, embedding: Float32Array.of(value, 0), repeat, rgb: null, width: 1, height: 1 };
}

describe('clipWindows', () => {
  it('cuts at multiples of the clip length and folds static windows into the clip before', async () => {
    const frames = [
      ...[0, 1, 2, 3].map((t) => encoded(t, false)),
      ...[4, 5, 6, 7, 8, 9, 10, 11].map((t) => encoded(t, true)),
      ...[12, 13].map((t) => encoded(t, false)),
    ];
    const clips = await lastValueFrom(from(frames).pipe(clipWindows({ clipSeconds: 4, frameInterval: 1, videoEnd: 13.5 }), toArray()));
    expect(clips.map((c) => [c.index, c.start, c.end, c.frames.length, c.repeatFrames])).toEqual([
      [0, 0, 12, 4, 8],
      [1, 12, 13.5, 2, 0],
    ]);
  });

  it('numbers clips from firstIndex and cuts at scene changes when asked', async () => {
    const frames = [encoded(8, false, 1), encoded(9, false, 1), encoded(10, false, -1), encoded(11, false, -1)];
    const clips = await lastValueFrom(
      from(frames).pipe(
        clipWindows({ clipSeconds: 4, frameInterval: 1, videoEnd: 12, firstIndex: 2, sceneCut: { threshold: 0.5, minSeconds: 1 } }),
        toArray(),
      ),
    );
    expect(clips.map((c) => [c.index, c.start, c.end])).toEqual([
      [2, 8, 10],
      [3, 10, 12],
    ]);
  });
});

describe('clipWindows on a live source', () => {
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const span = (c: { index: number; start: number; end: number }) => [c.index, c.start, c.end];

  it('closes the clips held back once the source has been quiet for the idle time', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      // Frames a second apart in media time, then a camera that stalls without ending.
      const frames = cold('a 9ms b 9ms c 9ms d', { a: encoded(0, false), b: encoded(1, false), c: encoded(4, false), d: encoded(5, false) });
      const clips = frames.pipe(
        clipWindows({ clipSeconds: 4, frameInterval: 1, videoEnd: Infinity, idleClose: { afterMs: 100, scheduler: testScheduler } }),
        map(span),
      );
      // Both clips are held back (a static stretch could still extend them) until 100 ms after the last frame.
      expectObservable(clips).toBe('130ms (ab)', { a: [0, 0, 4], b: [1, 4, 6] });
    });
  });

  it('makes a still picture that goes on after the clips were let go a clip of its own, never an empty one', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      // One changing frame, a stall that lets its clip go, then the same picture for a whole clip: repeats alone.
      const frames = cold('a 200ms b 9ms c 9ms d 9ms e|', { a: encoded(0, false), b: encoded(4, true), c: encoded(5, true), d: encoded(6, true), e: encoded(7, true) });
      const clips = frames.pipe(
        clipWindows({ clipSeconds: 4, frameInterval: 1, videoEnd: Infinity, idleClose: { afterMs: 100, scheduler: testScheduler } }),
        map((c) => [c.index, c.start, c.end, c.frames.length, c.repeatFrames, c.frames[0]!.time]),
      );
      expectObservable(clips).toBe('100ms a 131ms (b|)', { a: [0, 0, 1, 1, 0, 0], b: [1, 4, 8, 1, 3, 4] });
    });
  });

  it('lets go of its source and its timer when unsubscribed', () => {
    const testScheduler = scheduler();
    const source = new Subject<EncodedFrame>();
    const subscription = source
      .pipe(clipWindows({ clipSeconds: 4, frameInterval: 1, videoEnd: Infinity, idleClose: { afterMs: 100, scheduler: testScheduler } }))
      .subscribe();
    source.next(encoded(0, false));
    expect(testScheduler.actions).toHaveLength(1);
    subscription.unsubscribe();
    expect(testScheduler.actions).toHaveLength(0);
    expect(source.observed).toBe(false);
  });
});

describe('newEvents (events as they are stored)', () => {
  it('reads the store once a period, gives each event once in order, and catches up at once on a backlog', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ expectObservable }) => {
      // The store as time goes on: event 1 exists already (it is not new), 2 and 3 come at 1.5 s, a backlog of 4 to 9 at 2.5 s.
      const stored = (now: number) => [1, ...(now >= 1500 ? [2, 3] : []), ...(now >= 2500 ? [4, 5, 6, 7, 8, 9] : [])];
      const reads: number[] = [];
      const read = (after: number) => {
        reads.push(after);
        // Pages of two: a follower far behind reads again at once, without waiting a period per page.
        return stored(testScheduler.now()).filter((id) => id > after).slice(0, 2).map((id) => ({ id }));
      };
      const ids = newEvents(read, 1, { periodMs: 1000, scheduler: testScheduler }).pipe(map((e) => e.id));
      expectObservable(ids, '^ 3500ms !').toBe('2000ms (ab) 996ms (cdefgh)', { a: 2, b: 3, c: 4, d: 5, e: 6, f: 7, g: 8, h: 9 });
    });
  });

  it('lets go of its timer when unsubscribed', () => {
    const testScheduler = new TestScheduler(() => undefined);
    const subscription = newEvents(() => [], 0, { scheduler: testScheduler }).subscribe();
    expect(testScheduler.actions).toHaveLength(1);
    subscription.unsubscribe();
    expect(testScheduler.actions).toHaveLength(0);
  });
});

describe('batchWhileBusy (live frames to the encoder)', () => {
  const sampled = (index: number, repeat = false): SampledFrame => ({ index, time: index, width: 1, height: 1, rgb: new Uint8Array(3), repeat });

  /** An encoder call that ends when the test says so, remembering the frames it was given. */
  function heldWork() {
    const calls: Array<{ frames: number[]; done: () => void }> = [];
    const work = (batch: SampledFrame[]) => new Promise<number[]>((resolve) => calls.push({ frames: batch.map((f) => f.index), done: () => resolve(batch.map((f) => f.index)) }));
    return { calls, work };
  }

  it('encodes a frame that finds the encoder free at once, and those that came while it was busy together', async () => {
    const frames = new Subject<SampledFrame>();
    const { calls, work } = heldWork();
    const out: number[][] = [];
    let completed = false;
    frames.pipe(batchWhileBusy(2, work)).subscribe({ next: (b) => out.push(b), complete: () => (completed = true) });
    frames.next(sampled(0));
    expect(calls.map((c) => c.frames)).toEqual([[0]]);
    // Busy: these wait. A repeat rides along without counting against the batch size.
    frames.next(sampled(1));
    frames.next(sampled(2, true));
    frames.next(sampled(3));
    frames.next(sampled(4));
    expect(calls).toHaveLength(1);
    calls[0]!.done();
    await sleep(0);
    expect(calls.map((c) => c.frames)).toEqual([[0], [1, 2, 3]]);
    frames.complete();
    calls[1]!.done();
    await sleep(0);
    expect(completed).toBe(false);
    calls[2]!.done();
    await sleep(0);
    expect(out).toEqual([[0], [1, 2, 3], [4]]);
    expect(completed).toBe(true);
  });

  it('lets go of the frames waiting, and emits nothing of a call still running, when unsubscribed', async () => {
    const frames = new Subject<SampledFrame>();
    const { calls, work } = heldWork();
    const out: number[][] = [];
    const subscription = frames.pipe(batchWhileBusy(4, work)).subscribe((b) => out.push(b));
    frames.next(sampled(0));
    frames.next(sampled(1));
    subscription.unsubscribe();
    expect(frames.observed).toBe(false);
    calls[0]!.done();
    await sleep(0);
    expect(out).toEqual([]);
    expect(calls).toHaveLength(1);
  });
});

describe('markRepeats', () => {
  const frame = (index: number, fill: number, patch = 0): Frame => {
    const rgb = new Uint8Array(64 * 64 * 3).fill(fill);
    rgb.fill(255, 0, patch);
    return { index, time: index, width: 64, height: 64, rgb };
  };

  it('skips near-identical frames but not a small object that moved', async () => {
    const frames = [frame(0, 100), frame(1, 101), frame(2, 100, 64 * 3 * 4), frame(3, 100, 64 * 3 * 4)];
    const out = await lastValueFrom(from(frames).pipe(markRepeats(0.5), toArray()));
    expect(out.map((f) => f.repeat)).toEqual([false, true, false, true]);
    expect(out[1].rgb.length).toBe(0);
  });

  it('encodes every frame with threshold 0', async () => {
    const out = await lastValueFrom(from([frame(0, 1), frame(1, 1)]).pipe(markRepeats(0), toArray()));
    expect(out.map((f) => f.repeat)).toEqual([false, false]);
  });
});

describe('decodeFrames backpressure', () => {
  const tools = mediaTools();
  it('holds ffmpeg at the budget until frames are released, then delivers every frame in order', async () => {
    const dir = tempDir();
    const path = join(dir, 'bp.mp4');
    await renderSegments(path, [{ seconds: 30, layout: { full: 'blue' } }], { motion: true, width: 160, height: 120 });
    const video = await probeVideo(path, tools.ffmpeg);
    const budget = new FrameBudget(6);
    const received: Frame[] = [];
    let completed = false;
    const subscription = decodeFrames(video, {
      ffmpeg: tools.ffmpeg,
      sampling: { kind: 'fps', fps: 10 },
      width: 32,
      height: 32,
      scaleFilter: 'scale=32:32',
      budget,
    }).subscribe({ next: (f) => received.push(f), complete: () => (completed = true) });
    for (let i = 0; i < 1000 && received.length < 6; i++) await sleep(10);
    // Nobody releases: ffmpeg decodes 300 frames far faster than this wait, but none may pass.
    await sleep(500);
    expect(received).toHaveLength(6);
    expect(budget.used).toBe(6);
    expect(completed).toBe(false);
    // Releasing as frames arrive lets the rest through.
    for (let i = 0; i < 6000 && !completed; i++) {
      budget.release(budget.used);
      await sleep(5);
    }
    subscription.unsubscribe();
    expect(completed).toBe(true);
    expect(received.map((f) => f.index)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('keeps the count exact when a frame is released while it is being delivered', async () => {
    const dir = tempDir();
    const path = join(dir, 'static.mp4');
    await renderSegments(path, [{ seconds: 20, layout: { full: 'green' } }]);
    const video = await probeVideo(path, tools.ffmpeg);
    const budget = new FrameBudget(4);
    // Repeats are released by markRepeats, and here the one encoded frame by a stand-in encoder,
    // inside the very call that delivers them: a unit taken after delivery would leak each time
    // and stall the stream once the budget was full.
    const frames = await lastValueFrom(
      decodeFrames(video, { ffmpeg: tools.ffmpeg, sampling: { kind: 'fps', fps: 10 }, width: 32, height: 32, scaleFilter: 'scale=32:32', budget }).pipe(
        markRepeats(0.5, budget),
        tap((frame) => {
          if (!frame.repeat) budget.release();
        }),
        toArray(),
      ),
    );
    expect(frames).toHaveLength(200);
    expect(frames.filter((f) => f.repeat)).toHaveLength(199);
    expect(budget.used).toBe(0);
  });
});
