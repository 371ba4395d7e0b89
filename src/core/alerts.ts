/**
 * Standing questions and what they raise: a rule is checked on every new clip, and one appearance
 * of what it asks for is one event, kept with its evidence.
 */

/** A text rule: the clip's similarity to a text, scored against its own source's recent clips. */
export interface TextCondition {
  readonly kind: 'text';
  readonly text: string;
  /** Robust z-score (median and MAD of the source's recent scores) at which the rule fires. */
  readonly sigma: number;
  /** Raised only where the object detector also saw this (a COCO label or a word for one) in the clip; null: no confirmation. */
  readonly confirm: string | null;
}

/** An object rule: the detector counted at least `minCount` of the object, for `minSeconds` at least. */
export interface ObjectCondition {
  readonly kind: 'object';
  /** The word given: a COCO label ("person") or a word for one ("someone", "vehicle"). */
  readonly object: string;
  readonly minCount: number;
  readonly minSeconds: number;
  /** Only what stands in this zone of the source counts (see zones.ts); null: the whole picture. */
  readonly zone: string | null;
}

/**
 * An image rule: the clip's similarity to one to five example pictures (their mean vector, by the
 * store's model), scored against its own source's recent clips as a text rule is.
 */
export interface ImageCondition {
  readonly kind: 'image';
  /** The examples' file names as given, for people: their pictures are not kept. */
  readonly images: readonly string[];
  readonly vector: Float32Array;
  readonly sigma: number;
  /** As TextCondition.confirm. */
  readonly confirm: string | null;
}

export type AlertCondition = TextCondition | ObjectCondition | ImageCondition;

export interface NewAlertRule {
  readonly name: string;
  /** Only this live source's clips; null: every source and file. */
  readonly source: string | null;
  /** A new appearance within this many seconds of the last one's end belongs to that event. */
  readonly cooldownSec: number;
  readonly condition: AlertCondition;
}

export interface AlertRule extends NewAlertRule {
  readonly id: number;
  readonly createdAt: string;
}

/** What an event is kept with: where, when, how strongly, and the clip that shows it. */
export interface NewAlertEvent {
  readonly ruleId: number;
  readonly ruleName: string;
  readonly videoId: number;
  /** The live source's name; null for a file. */
  readonly source: string | null;
  readonly path: string;
  /** Seconds into the video (a live segment's clips count from its start). */
  readonly start: number;
  readonly end: number;
  /** UTC seconds of the live segment's start; null for a file. */
  readonly startedAt: number | null;
  /** The rule's value where it fired: a robust z-score (text rules) or an object count. */
  readonly score: number;
  /** The clip that raised it. */
  readonly clipId: number;
}

export interface AlertEventRecord extends Omit<NewAlertEvent, 'ruleId'> {
  readonly id: number;
  /** Null once the rule has been removed (its name stays). */
  readonly ruleId: number | null;
  /** Absolute path of the raising clip's keyframe, kept with the event; null when it had none. */
  readonly thumbnail: string | null;
  /** Absolute path of an object rule's snapshot: the frame the detector looked at, the boxes it counted drawn; null for other rules. */
  readonly snapshot: string | null;
  /** Absolute path of a live source's event's snippet: the recording around its start (MP4); null for a file or without recording, and until it is cut. */
  readonly snippet: string | null;
  /** UTC, ISO 8601. */
  readonly raisedAt: string;
}

/** "text 'a red car' at 4σ", "object person ≥ 2 in zone lawn for 5 s": a rule's condition for people. */
export function describeCondition(condition: AlertCondition): string {
  const confirmed = condition.kind !== 'object' && condition.confirm !== null ? `, confirmed by the detector seeing ${condition.confirm}` : '';
  if (condition.kind === 'text') return `text '${condition.text}' at ${condition.sigma}σ above its source's usual${confirmed}`;
  if (condition.kind === 'image') return `like ${condition.images.join(', ')} at ${condition.sigma}σ above its source's usual${confirmed}`;
  const count = condition.minCount > 1 ? ` ≥ ${condition.minCount}` : '';
  const seconds = condition.minSeconds > 0 ? ` for ${condition.minSeconds} s` : '';
  const zone = condition.zone !== null ? ` in zone ${condition.zone}` : '';
  return `object ${condition.object}${count}${zone}${seconds}`;
}
