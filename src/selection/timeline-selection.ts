import type { ClipSummary } from '../../storage/memory-store.js';

export interface VideoTimeline {
  readonly videoId: number;
  /** In time order. */
  readonly clips: readonly ClipSummary[];
}

export interface TimelinePick {
  readonly videoId: number;
  readonly clip: ClipSummary;
  /** The stretch of the video this pick stands for: its slice of the timeline. */
  readonly sliceStart: number;
  readonly sliceEnd: number;
  readonly last: boolean;
}

/**
 * Slots per video, in proportion to their clips: each slot goes to the video with the most clips
 * per slot it would then hold, so every video gets one before any gets a second of its share.
 */
function allocate(timelines: readonly VideoTimeline[], count: number): number[] {
  const slots = timelines.map(() => 0);
  for (let n = 0; n < count; n++) {
    let best = -1;
    timelines.forEach((t, i) => {
      if (slots[i] >= t.clips.length) return;
      if (best < 0 || t.clips.length / (slots[i] + 1) > timelines[best].clips.length / (slots[best] + 1)) best = i;
    });
    if (best < 0) break;
    slots[best]++;
  }
  return slots;
}

/**
 * Memories for a question about the whole video: each video's timeline is cut into equal slices and
 * the last clip of each slice is used, because a clip's propagated memory summarizes everything up
 * to its end. The video's last clip is always among them: its memory covers the whole video.
 */
export function spreadOverTimeline(timelines: readonly VideoTimeline[], count: number): TimelinePick[] {
  const slots = allocate(timelines, count);
  return timelines.flatMap((timeline, v) => {
    const { clips } = timeline;
    const slices = slots[v];
    return Array.from({ length: slices }, (_, j) => {
      const from = Math.ceil((j * clips.length) / slices);
      const to = Math.ceil(((j + 1) * clips.length) / slices) - 1;
      return {
        videoId: timeline.videoId,
        clip: clips[to],
        sliceStart: clips[from].start,
        sliceEnd: clips[to].end,
        last: to === clips.length - 1,
      };
    });
  });
}
