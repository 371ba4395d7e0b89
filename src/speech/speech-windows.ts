import type { SpeechSpan } from './voice-activity.js';

/** Whisper reads at most 30 s of audio at a time. */
export const WHISPER_WINDOW = 30;

/**
 * Speech spans grouped into windows of at most `limit` seconds: neighbouring spans share a window
 * (fewer, longer Whisper calls), a span longer than the limit is cut into equal parts. Silence
 * between spans inside one window is kept, since cutting it out would move the words' times.
 */
export function speechWindows(spans: readonly SpeechSpan[], limit = WHISPER_WINDOW): SpeechSpan[] {
  const windows: SpeechSpan[] = [];
  let current: { start: number; end: number } | undefined;
  for (const span of spans) {
    if (current && span.end - current.start <= limit) current.end = span.end;
    else {
      if (current) windows.push(current);
      const parts = Math.ceil((span.end - span.start) / limit);
      const size = (span.end - span.start) / parts;
      for (let i = 0; i < parts - 1; i++) windows.push({ start: span.start + i * size, end: span.start + (i + 1) * size });
      current = { start: span.start + (parts - 1) * size, end: span.end };
    }
  }
  if (current) windows.push(current);
  return windows;
}
