import * as ort from 'onnxruntime-node';
import { UserError } from '../core/errors.js';
import type { OpenSession } from '../core/ports/onnx-session.js';
import { SPEECH_SAMPLE_RATE } from '../core/speech-audio.js';

/** A stretch of speech, seconds from the start of the audio. */
export interface SpeechSpan {
  readonly start: number;
  readonly end: number;
}

export interface VadOptions {
  /** Probability above which a frame is speech (Silero's own default). */
  readonly threshold?: number;
  /** Shorter bursts are clicks or breaths, not words. */
  readonly minSpeech?: number;
  /** Pauses shorter than this stay inside one span, so a sentence is not cut between words. */
  readonly minSilence?: number;
  /** Added on both sides so the first and last syllables are not clipped. */
  readonly padding?: number;
}

export type Vad = (samples: Float32Array) => Promise<SpeechSpan[]>;

/** Silero VAD reads 512-sample frames (32 ms) at 16 kHz. */
const FRAME = 512;
/** v5 also reads the 64 samples before each frame, as silero-vad's own OnnxWrapper feeds it. */
const V5_CONTEXT = 64;

/**
 * Silero VAD (the user's `silero_vad.onnx`) opened through the session port, as OCR is. Both
 * exports in use are read: v5 carries one `state` [2,1,128], v4 (the copy in ../shared) `h` and
 * `c` [2,1,64] each; which one is told by the graph's input names.
 */
export async function openSileroVad(openSession: OpenSession, graph: string, options: VadOptions = {}): Promise<Vad> {
  const session = await openSession(graph);
  const v5 = session.inputNames.includes('state');
  if (!v5 && !(session.inputNames.includes('h') && session.inputNames.includes('c'))) {
    throw new UserError(`${graph}: not a Silero VAD graph (inputs ${session.inputNames.join(', ')}; expected input, sr and state or h, c)`);
  }
  const { threshold = 0.5, minSpeech = 0.25, minSilence = 0.3, padding = 0.2 } = options;
  const zeros = (size: number) => new ort.Tensor('float32', new Float32Array(2 * size), [2, 1, size]);
  return async (samples) => {
    let state: Record<string, ort.Tensor> = v5 ? { state: zeros(128) } : { h: zeros(64), c: zeros(64) };
    const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(SPEECH_SAMPLE_RATE)]), []);
    const context = v5 ? V5_CONTEXT : 0;
    const probabilities: number[] = [];
    for (let at = 0; at < samples.length; at += FRAME) {
      const frame = new Float32Array(context + FRAME);
      frame.set(samples.subarray(Math.max(0, at - context), at), context - Math.min(context, at));
      frame.set(samples.subarray(at, at + FRAME), context);
      const out = await session.run({ input: new ort.Tensor('float32', frame, [1, frame.length]), sr, ...state });
      probabilities.push((out.output!.data as Float32Array)[0]!);
      state = v5 ? { state: out.stateN! } : { h: out.hn!, c: out.cn! };
    }
    return speechSpans(probabilities, FRAME / SPEECH_SAMPLE_RATE, samples.length / SPEECH_SAMPLE_RATE, { threshold, minSpeech, minSilence, padding });
  };
}

/** Frame probabilities → padded spans: hysteresis on the threshold, short pauses bridged, short bursts dropped. */
export function speechSpans(probabilities: readonly number[], frameSeconds: number, duration: number, o: Required<VadOptions>): SpeechSpan[] {
  const raw: { start: number; end: number }[] = [];
  let start: number | undefined;
  let lastSpeech = 0;
  probabilities.forEach((p, i) => {
    const t = i * frameSeconds;
    if (p >= o.threshold) {
      if (start === undefined) start = t;
      lastSpeech = t + frameSeconds;
    } else if (start !== undefined && p < o.threshold - 0.15 && t - lastSpeech >= o.minSilence) {
      raw.push({ start, end: lastSpeech });
      start = undefined;
    }
  });
  if (start !== undefined) raw.push({ start, end: lastSpeech });
  const spans: { start: number; end: number }[] = [];
  for (const s of raw.filter((s) => s.end - s.start >= o.minSpeech)) {
    const padded = { start: Math.max(0, s.start - o.padding), end: Math.min(duration, s.end + o.padding) };
    const last = spans.at(-1);
    if (last && padded.start <= last.end) last.end = padded.end;
    else spans.push(padded);
  }
  return spans;
}
