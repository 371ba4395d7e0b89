import { spawn } from 'node:child_process';
import { Observable } from 'rxjs';
import type { Frame } from '../core/clips.js';
import { MediaError } from '../core/errors.js';
import type { Backpressure } from '../core/ports/backpressure.js';
import { describeBinary, type Binary } from './ffmpeg-binaries.js';
import type { VideoInfo } from './probe.js';

export type Sampling = { readonly kind: 'fps'; readonly fps: number } | { readonly kind: 'keyframes' };

export interface DecodeOptions {
  readonly ffmpeg: Binary;
  readonly sampling: Sampling;
  readonly width: number;
  readonly height: number;
  /** ffmpeg filter producing exactly width×height (from the encoder's preprocessor config). */
  readonly scaleFilter: string;
  /** Seconds into the video to start at (resume). */
  readonly startAt?: number;
  readonly budget?: Backpressure;
  /** Called with each error/warning line ffmpeg prints while decoding (corrupt packets). */
  readonly onDecodeWarning?: (line: string) => void;
  /** A live source (see LiveDecoding). */
  readonly live?: LiveDecoding;
}

/**
 * A camera or stream is read at its own pace and cannot be paused: a frame the stages after the
 * source cannot take yet is dropped and counted, never queued, and times count from the first
 * frame, whatever the stream's own clock says.
 */
export interface LiveDecoding {
  /** Options for ffmpeg's input (`-rtsp_transport tcp`, `-re` to play a file at its pace). */
  readonly inputArgs: readonly string[];
  /** More outputs of the same ffmpeg, after the frames (the stream recorded as it came). */
  readonly outputArgs?: readonly string[];
  readonly onDrop: () => void;
  /** The stream's picture as ffmpeg reports it, once it has opened the input. */
  readonly onOpen?: (stream: { readonly width: number; readonly height: number; readonly fps: number }) => void;
}

function ffmpegArgs(video: VideoInfo, options: DecodeOptions): string[] {
  const { sampling, scaleFilter } = options;
  const keyframes = sampling.kind === 'keyframes';
  // eof_action=pass: a video shorter than one sampling interval (one frame, 0.2 s at 1 fps) still
  // gives its frame, where the default rounding of the end gives none.
  const filters = [keyframes ? null : `fps=${sampling.fps}:eof_action=pass`, scaleFilter, 'format=rgb24', 'showinfo'];
  const startAt = options.startAt ?? 0;
  return [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info',
    ...(options.live?.inputArgs ?? []),
    ...(keyframes ? ['-skip_frame', 'nokey'] : []),
    ...(startAt > 0 ? ['-ss', (video.startTime + startAt).toFixed(3)] : []),
    // Source timestamps (not reset after -ss) keep sampled times identical when resuming.
    '-copyts',
    '-i', video.input,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', filters.filter(Boolean).join(','),
    ...(keyframes ? ['-vsync', '0'] : []),
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ...(options.live?.outputArgs ?? []),
  ];
}

const SHOWINFO_TIME = /^\[Parsed_showinfo_\d+ @ [^\]]+\] \[info\] n:\s*\d+ .*?pts_time:(\S+)/;
/** "Stream #0:0: Video: h264 (High), yuv420p(progressive), 1280x720, 30 fps, …" */
const INPUT_VIDEO = /Stream #0:\d+.*?: Video: .*?, (\d+)x(\d+)[ ,](?:.*?, ([\d.]+) (?:fps|tbr))?/;
/** With `-loglevel level+…` ffmpeg tags each line: "[h264 @ 0x…] [error] message". */
const PROBLEM = /^(?:\[[^\]]+ @ [^\]]+\] )?\[(?:error|fatal|warning)\] (.*)$/;

/**
 * Decoded, sampled and scaled frames of a video file, as a cold Observable: subscribing starts
 * ffmpeg, unsubscribing kills it. Frame times come from ffmpeg's own `showinfo` so they are exact
 * for both fixed-rate and keyframe sampling.
 */
export function decodeFrames(video: VideoInfo, options: DecodeOptions): Observable<Frame> {
  return new Observable<Frame>((subscriber) => {
    const { width, height, budget } = options;
    const frameBytes = width * height * 3;
    const child = spawn(options.ffmpeg.path, ffmpegArgs(video, options), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let finished = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let waiting = false;
    const times: number[] = [];
    const pixels: Uint8Array[] = [];
    let partial = Buffer.alloc(frameBytes);
    let filled = 0;
    let index = 0;
    const errors: string[] = [];
    let stderrTail = '';
    const live = options.live;
    let origin = live ? undefined : video.startTime;
    let opened = false;

    const settle = (): void => {
      finished = true;
      const { code, signal } = exit!;
      if (code === 0 && pixels.length === times.length) return subscriber.complete();
      if (code === 0) {
        return subscriber.error(new Error(`ffmpeg frame times out of step (${pixels.length} frames, ${times.length} times left over)`));
      }
      const reason = errors.at(-1) ?? (signal ? `killed by ${signal}` : `exit status ${code}`);
      subscriber.error(new MediaError(`${video.path}: decoding failed (${reason})`));
    };

    /**
     * Emits decoded frames while the budget allows. When it is spent, the frames already read
     * (at most one pipe chunk) wait here, stdout is paused, and ffmpeg blocks on the full pipe.
     */
    const emitReady = (): void => {
      while (times.length > 0 && pixels.length > 0) {
        if (budget?.exhausted && live) {
          times.shift();
          pixels.shift();
          live.onDrop();
          continue;
        }
        if (budget?.exhausted) {
          if (!waiting) {
            waiting = true;
            child.stdout.pause();
            budget.whenAvailable(() => {
              waiting = false;
              child.stdout.resume();
              emitReady();
            });
          }
          return;
        }
        origin ??= times[0]!;
        const time = Math.max(0, times.shift()! - origin);
        budget?.take();
        subscriber.next({ index: index++, time, width, height, rgb: pixels.shift()! });
      }
      if (exit && !finished) settle();
    };

    child.stdout.on('data', (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(partial, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled === frameBytes) {
          pixels.push(partial);
          partial = Buffer.alloc(frameBytes);
          filled = 0;
        }
      }
      emitReady();
    });

    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      // ffmpeg ends some status lines with \r only; a frame's time must never hide behind one.
      const lines = (stderrTail + text).split(/\r\n|\r|\n/);
      stderrTail = lines.pop() ?? '';
      for (const line of lines) {
        const time = SHOWINFO_TIME.exec(line);
        const input = live && !opened ? INPUT_VIDEO.exec(line) : null;
        if (input) {
          opened = true;
          live!.onOpen?.({ width: Number(input[1]), height: Number(input[2]), fps: Number(input[3] ?? 0) });
        }
        const problem = time ? null : PROBLEM.exec(line);
        if (time) times.push(Number(time[1]));
        else if (problem) {
          errors.push(problem[1]);
          options.onDecodeWarning?.(problem[1]);
        }
      }
      emitReady();
    });

    child.on('error', (err) => {
      finished = true;
      subscriber.error(new MediaError(`cannot run ${describeBinary('ffmpeg', options.ffmpeg)}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });

    child.on('close', (code, signal) => {
      if (finished) return;
      exit = { code, signal };
      // Frames still held back for the budget go out first; emitReady settles once they have.
      if (!waiting) emitReady();
    });

    return () => {
      if (!finished) {
        finished = true;
        child.kill('SIGKILL');
      }
      // Frames read but never delivered are let go with the subscription.
      pixels.length = 0;
      times.length = 0;
    };
  });
}
