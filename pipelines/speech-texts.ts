import type { ClipText } from '../src/core/clip-text.js';
import type { Transcriber } from '../src/core/ports/transcriber.js';
import type { Binary } from '../src/sources/ffmpeg-binaries.js';
import { SPEECH_SAMPLE_RATE } from '../src/core/speech-audio.js';
import { decodeAudio } from '../src/sources/decode-audio.js';
import { speechWindows } from '../src/speech/speech-windows.js';
import type { Vad } from '../src/speech/voice-activity.js';

export interface SpeechTextOptions {
  readonly vad: Vad;
  readonly transcriber: Transcriber;
  readonly ffmpeg: Binary;
  readonly onNotice: (message: string) => void;
}

/**
 * What was said in a video as speech-channel text: the audio decoded once, the voice detector
 * finds where someone speaks, and only those windows go to the transcriber, so silence is never
 * transcribed (Whisper invents words in it). A video without audio has no speech.
 */
export async function speechTexts(videoPath: string, { vad, transcriber, ffmpeg, onNotice }: SpeechTextOptions): Promise<ClipText[]> {
  const samples = await decodeAudio(videoPath, ffmpeg);
  if (samples.length === 0) {
    onNotice(`${videoPath}: no audio; ingesting without speech`);
    return [];
  }
  const texts: ClipText[] = [];
  for (const window of speechWindows(await vad(samples))) {
    const part = samples.subarray(Math.round(window.start * SPEECH_SAMPLE_RATE), Math.round(window.end * SPEECH_SAMPLE_RATE));
    for (const s of await transcriber(part, window.start)) {
      const text = s.text.trim();
      if (text) texts.push({ channel: 'speech', text, start: s.start, end: Math.max(s.start, s.end) });
    }
  }
  return texts;
}
