/** The API's answers as the page reads them (src/server/schemas.ts has the full shapes). */

export interface ClipText {
  readonly channel: string;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface Moment {
  readonly videoId: number;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly score: number;
  readonly thumbnail: string | null;
  readonly media: string | null;
  readonly mediaStart: number;
  readonly text: readonly ClipText[];
}

export interface Video {
  readonly id: number;
  readonly path: string;
  readonly durationSec: number;
  readonly clips: number;
  readonly status: string;
  readonly source: string | null;
  readonly startsAt: string | null;
  readonly media: string | null;
}

export interface Gap {
  readonly start: string;
  readonly end: string | null;
  readonly reason: string;
}

export interface Source {
  readonly name: string;
  readonly url: string;
  readonly segments: number;
  readonly clips: number;
  readonly from: string | null;
  readonly until: string | null;
  readonly gaps: readonly Gap[];
  readonly watching: boolean;
}

export interface Job {
  readonly id: number;
  readonly path: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  readonly progress: number;
  readonly clips: number;
  readonly videoId: number | null;
  readonly error: string | null;
}

export interface Decision {
  readonly videoId: number;
  readonly start: number;
  readonly end: number;
  readonly combined: number;
  readonly verdict: string;
  readonly reason: string;
}

/** The `explain` of a selection event: every candidate and why it was kept or not. */
export interface Explanation {
  readonly kind: string;
  readonly indexHits: number;
  readonly tokensUsed: number;
  readonly budget: number;
  readonly decisions: readonly Decision[];
}

export interface Selection {
  readonly evidence: readonly Moment[];
  readonly selected: number;
  readonly tokensUsed: number;
  readonly budget: number;
  readonly explain?: Explanation;
}

/** An event a standing question raised (`vidmem events --json`'s shape), with what plays its moment. */
export interface AlertEvent extends Pick<Moment, 'videoId' | 'path' | 'start' | 'end' | 'startsAt' | 'endsAt' | 'score' | 'mediaStart'> {
  readonly id: number;
  readonly rule: { readonly id: number | null; readonly name: string };
  readonly source: string | null;
  /** `snapshot`: an object rule's, the counted boxes drawn on the frame they were found in. */
  readonly evidence: { readonly clipId: number; readonly thumbnail: string | null; readonly snapshot: string | null };
  readonly media: string;
}

/** A chat session the store kept. */
export interface ChatSession {
  readonly id: number;
  readonly videoId: number | null;
  readonly turns: number;
  readonly firstQuestion: string | null;
  readonly updatedAt: string;
}

/** One kept turn of a session, with the moments it cited. */
export interface ChatTurn {
  readonly question: string;
  readonly answer: string;
  readonly evidence: ReadonlyArray<Pick<Moment, 'videoId' | 'start' | 'end' | 'score'>>;
}
