import type { ClipRef } from '../core/clips.js';

export interface TimelinePick {
  readonly clip: ClipRef;
  /** The stretch of the video this pick stands for: its slice of the timeline. */
  readonly sliceStart: number;
  readonly sliceEnd: number;
  readonly last: boolean;
}

/**
 * Picks per video, in proportion to their clips: each goes to the video with the most clips per
 * pick it would then hold, so every video gets one before any gets a second of its share. With
 * fewer picks than videos, they go to videos spread evenly over the list.
 */
export function allocatePicks(clipCounts: readonly number[], count: number): number[] {
  const picks = clipCounts.map(() => 0);
  if (count < clipCounts.length) {
    for (let j = 0; j < count; j++) picks[Math.floor(((j + 0.5) * clipCounts.length) / count)] = 1;
    return picks;
  }
  for (let n = 0; n < count; n++) {
    let best = -1;
    clipCounts.forEach((clips, i) => {
      if (picks[i] >= clips) return;
      if (best < 0 || clips / (picks[i] + 1) > clipCounts[best] / (picks[best] + 1)) best = i;
    });
    if (best < 0) break;
    picks[best]++;
  }
  return picks;
}

/**
 * Memories for a question about the whole video: the video's timeline is cut into equal slices
 * and the last clip of each slice is used, because a clip's propagated memory summarizes
 * everything up to its end. The video's last clip is always among them: its memory covers it all.
 */
export function spreadOverTimeline(clips: readonly ClipRef[], slices: number): TimelinePick[] {
  return Array.from({ length: Math.min(slices, clips.length) }, (_, j) => {
    const from = Math.ceil((j * clips.length) / slices);
    const to = Math.ceil(((j + 1) * clips.length) / slices) - 1;
    return { clip: clips[to], sliceStart: clips[from].start, sliceEnd: clips[to].end, last: to === clips.length - 1 };
  });
}
