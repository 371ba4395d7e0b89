import { concatMap, defer, finalize, from, type OperatorFunction } from 'rxjs';
import type { ClipText } from '../core/clip-text.js';
import { changedPercent } from '../core/pixel-change.js';
import type { FrameTextReader, TextLine } from '../core/ports/frame-text-reader.js';

export interface ReadSlidesOptions {
  readonly reader: FrameTextReader;
  /** The frame shown at `time`, at a size its type can be read at: the clip's frames are the encoder's, far too small. */
  readonly grab: (time: number) => Promise<{ readonly rgb: Uint8Array; readonly width: number; readonly height: number }>;
  /** Percent of pixels that must differ from the last frame read before another one is read. */
  readonly changePercent?: number;
  /** At most this many frames of one clip are read, however often its picture changes. */
  readonly readsPerClip?: number;
  /** Called after each read with the milliseconds it took, grabbing the frame included. */
  readonly onRead?: (ms: number) => void;
}

/**
 * A frame is read for its text when at least this percent of its pixels differ from the frame
 * read last: a new slide or a new line on it (≈1–5 % of a 224² frame), not the cursor.
 */
const CHANGE_PERCENT = 0.5;
/** However busy a clip's picture, at most this many of its frames are read. */
const READS_PER_CLIP = 2;

/** What is read of a clip: its span and the frames whose pixels it kept (a distilled clip, or stored clips' frames decoded again). */
export interface ClipToRead {
  readonly clip: { readonly start: number; readonly end: number; readonly frames: readonly FrameToRead[] };
  readonly texts?: readonly ClipText[];
}

interface FrameToRead {
  readonly time: number;
  /** Small pixels, for telling whether the frame shows something new; null for a frame without. */
  readonly rgb: Uint8Array | null;
}

interface Reading {
  /** The encoder-sized pixels of the frame read, to tell whether a later frame shows something new. */
  readonly rgb: Uint8Array;
  readonly lines: readonly TextLine[];
}

/**
 * Gives each clip the text its frames showed (the slide channel). OCR costs a few hundred
 * milliseconds a frame, so a frame is read only when its picture changed enough since the last
 * frame read: a slide held for two minutes is read once, and its lines carry forward to every
 * clip that shows it. Each line keeps the time of the frame it was read from (or the clip's start
 * when it was read earlier) and lasts to the clip's end or the next read.
 */
export function readSlides<T extends ClipToRead>(options: ReadSlidesOptions): OperatorFunction<T, T & Pick<ClipToRead, 'texts'>> {
  const { changePercent = CHANGE_PERCENT, readsPerClip = READS_PER_CLIP } = options;
  return (source) =>
    defer(() => {
      let last: Reading | null = null;

      const framesToRead = (memory: T): FrameToRead[] => {
        const chosen: FrameToRead[] = [];
        let reference = last?.rgb ?? null;
        for (const frame of memory.clip.frames) {
          if (chosen.length === readsPerClip) break;
          if (!frame.rgb || (reference && changedPercent(reference, frame.rgb) < changePercent)) continue;
          chosen.push(frame);
          reference = frame.rgb;
        }
        return chosen;
      };

      const readClip = async (memory: T): Promise<T> => {
        const { clip } = memory;
        const texts: ClipText[] = [];
        let shown = last?.lines ?? [];
        let since = clip.start;
        const close = (until: number): void => {
          if (until <= since) return;
          for (const line of shown) texts.push({ channel: 'slide', text: line.text, start: since, end: until, confidence: line.confidence, box: line.box });
        };
        for (const frame of framesToRead(memory)) {
          const started = performance.now();
          const lines = await options.reader.read(await options.grab(frame.time));
          options.onRead?.(performance.now() - started);
          last = { rgb: frame.rgb!, lines };
          // A pointer or a highlight changes pixels, not words: the lines read before go on.
          if (sameWords(lines, shown)) continue;
          close(frame.time);
          shown = lines;
          since = Math.max(frame.time, clip.start);
        }
        close(clip.end);
        return texts.length ? { ...memory, texts: [...(memory.texts ?? []), ...texts] } : memory;
      };

      return source.pipe(
        concatMap((memory) => from(readClip(memory))),
        finalize(() => (last = null)),
      );
    });
}

function sameWords(a: readonly TextLine[], b: readonly TextLine[]): boolean {
  return a.length === b.length && a.every((line, i) => line.text === b[i]!.text);
}
