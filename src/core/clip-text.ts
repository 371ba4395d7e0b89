/**
 * Text as a channel of a clip's memory: what its frames showed (OCR of slides and signs), what
 * was said (subtitles, speech recognition), what the detector saw. Times are the text's own,
 * seconds from the start of the video: a slide line's frame, a cue's span.
 */
export const TEXT_CHANNELS = ['slide', 'subtitle', 'speech', 'detector'] as const;
export type TextChannel = (typeof TEXT_CHANNELS)[number];

/** Where on the frame a line of text was read, as fractions 0..1 of its width and height. */
export interface TextBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface ClipText {
  readonly channel: TextChannel;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The reader's confidence (OCR, speech), 0..1, when it gives one. */
  readonly confidence?: number;
  readonly box?: TextBox;
}

/** A piece of a clip's text that matches a query, and where the clip is. */
export interface TextMatch {
  readonly clipId: number;
  readonly videoId: number;
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Relevance against the query's other matches, 0..1: its bm25 relative to the best, times the share of the query's words it holds. */
  readonly score: number;
  readonly text: ClipText;
}
