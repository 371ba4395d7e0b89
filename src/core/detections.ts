/**
 * What an object detector finds in a frame, as the stages after it (storage, alert rules,
 * snapshots) see it: a label, a score, a box in fractions of the frame, and the zones it is in.
 */

/** A rectangle in fractions 0..1 of a frame's width and height, from its top-left corner. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Detection {
  /** COCO name ("person", "car"). */
  readonly label: string;
  readonly classId: number;
  readonly score: number;
  readonly box: Box;
}

/** A detection of a clip: where it was seen, and the names of the source's zones it stands in. */
export interface ClipDetection extends Detection {
  /** Seconds into the video of the frame it was seen in (for a still clip, the last frame looked at, before it). */
  readonly time: number;
  readonly zones: readonly string[];
}
