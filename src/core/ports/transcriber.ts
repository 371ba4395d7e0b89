/** A piece of transcribed speech, seconds from the start of the video. */
export interface SpeechSegment {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Turns a window of 16 kHz mono samples that starts `offset` seconds into the video into timed
 * text: how the speech channel reaches a recognizer (Whisper) without knowing which one.
 */
export type Transcriber = (samples: Float32Array, offset: number) => Promise<SpeechSegment[]>;
