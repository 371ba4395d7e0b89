/**
 * "Is a person in the picture?" for the real footage of ../shared/media, as a person judged it:
 * the stretches of each file in which someone (or part of someone) can be seen, in seconds into
 * the file. A clip is labelled "person present" when it shares any time with a stretch.
 *
 * How it was labelled: by the engineer who wrote bench:detect (a vidmem session, 2026-12-04), by
 * looking at frames that ffmpeg extracted — contact sheets of vtest.avi and tree.avi at one frame
 * a second, of Big_Buck_Bunny_180_10s.webm at two a second, and tree.avi's last 8 s again at four
 * a second to find where the hand comes in — viewed as images, not by any detector.
 * - vtest.avi (79.5 s, a street camera): several pedestrians in every frame looked at, from the
 *   first to the last; no stretch of the file is without people.
 * - tree.avi (29.6 s, a camera on a tree): no one until 23.0 s, when a hand and forearm reach in
 *   from the top right and stay to the end. Only part of a person: labelled present (COCO, whose
 *   "person" the detector learnt, boxes visible parts of people too), noted as such.
 * - Big_Buck_Bunny_180_10s.webm (10 s, the Blender cartoon's opening): a grassy mound with a
 *   burrow under a tree, no character in frame in any of the 20 frames looked at: no person.
 */
export interface PersonLabels {
  /** Under ../shared/media. */
  readonly file: string;
  readonly seconds: number;
  /** [from, to) in seconds into the file where a person can be seen. */
  readonly present: ReadonlyArray<readonly [number, number]>;
  readonly note: string;
}

export const PERSON_LABELS: readonly PersonLabels[] = [
  { file: 'opencv/vtest.avi', seconds: 79.5, present: [[0, 79.5]], note: 'pedestrians throughout' },
  { file: 'opencv/tree.avi', seconds: 29.6, present: [[23, 29.6]], note: 'a hand and forearm only, from 23.0 s' },
  { file: 'bbb/Big_Buck_Bunny_180_10s.webm', seconds: 10, present: [], note: 'a cartoon landscape, no one in it' },
];

/** Whether the labels say a person is in the picture somewhere in from–to. */
export const labelledPresent = (labels: PersonLabels, from: number, to: number): boolean => labels.present.some(([a, b]) => a < to && b > from);
