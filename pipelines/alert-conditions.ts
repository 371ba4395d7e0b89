/**
 * What `vidmem alerts add` is asked for, made into a rule's condition and checked once, before it
 * is stored: one of a text, example pictures or an object; the options that go with that kind
 * only; words the store's model knows; pictures it can read; an object the detector finds.
 */
import type { AlertCondition } from '../src/core/alerts.js';
import { checkRange, DEFAULTS, LIMITS } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import { quote } from '../src/core/quote.js';
import { weightedMean } from '../src/core/vector-math.js';
import { checkZoneName } from '../src/core/zones.js';

/** A standing question as `vidmem alerts add` takes it: a text, example pictures or an object, and how it fires. */
export interface NewAlert {
  readonly text?: string;
  /** One to five pictures (files) of what to look for. */
  readonly images?: readonly string[];
  readonly object?: string;
  /** Text and image rules: raised only where the object detector also sees this in the clip. */
  readonly confirm?: string;
  /** Text and image rules: robust sigmas above the source's usual (default 4). */
  readonly sigma?: number;
  /** Object rules: at least this many at once (default 1), for at least this many seconds (default 0). */
  readonly minCount?: number;
  readonly minSeconds?: number;
  /** Object rules: only what stands in this zone counts (default: the whole picture). */
  readonly zone?: string;
  /** Only this live source's clips (default: every source and file). */
  readonly source?: string;
  readonly name?: string;
  /** Seconds after an event's end in which a new appearance is the same event (default 30). */
  readonly cooldownSec?: number;
}

export interface ConditionContext {
  /** The store's model's name; null for a store that holds no video yet. */
  readonly model: string | null;
  /** A text's vector by the store's model, as a question's. */
  readonly encodeText: (text: string) => Promise<Float32Array>;
  /** Picture files' vectors by the store's model's vision side, as its frames'. */
  readonly encodePictures: (paths: readonly string[]) => Promise<Float32Array[]>;
}

/** Example pictures an image rule takes: a few views of one thing; more would blur what it is. */
export const MAX_EXAMPLES = 5;

const OBJECT_ONLY = ['minCount', 'minSeconds', 'zone'] as const;

export async function alertCondition(spec: NewAlert, context: ConditionContext): Promise<AlertCondition> {
  const { text, images, object } = spec;
  const kinds = [text, images, object].filter((given) => given !== undefined).length;
  if (kinds !== 1) throw new UserError('say what to alert on: --text "a red car", --image example.jpg or --object person (one of them)', 2);
  if (object === undefined && OBJECT_ONLY.some((key) => spec[key] !== undefined)) throw new UserError('--min-count, --min-seconds and --zone are for --object rules', 2);
  if (object !== undefined) return objectCondition(object, spec);
  const sigma = spec.sigma ?? DEFAULTS.alerts.sigma;
  checkRange('sigma', sigma, LIMITS.sigma);
  const confirm = spec.confirm === undefined ? null : await detectable(spec.confirm, '--confirm');
  return text !== undefined ? textCondition(text, sigma, confirm, context) : imageCondition(images!, sigma, confirm, context);
}

/** A new rule's name: the one given, else its text, pictures or object, numbered if taken. */
export function ruleName(condition: AlertCondition, taken: ReadonlySet<string>): string {
  const base = condition.kind === 'text' ? condition.text : condition.kind === 'image' ? `like ${condition.images.join(', ')}` : condition.object;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base} (${n})`;
  return name;
}

async function textCondition(text: string, sigma: number, confirm: string | null, context: ConditionContext): Promise<AlertCondition> {
  if (text.trim() === '') throw new UserError('--text is empty; give the words to look for, e.g. --text "a red car"', 2);
  // A store with a model can tell now whether the words mean anything to it; a new one learns its model with its first video.
  if (context.model !== null) {
    const vector = await context.encodeText(text);
    if (vector.every((x) => x === 0)) throw new UserError(`model '${context.model}' knows none of the words in ${quote(text)}: a text rule needs words it knows`, 2);
  }
  return { kind: 'text', text: text.trim(), sigma, confirm };
}

/** The examples' mean vector: what they have in common weighs most, what sets one apart less. */
async function imageCondition(paths: readonly string[], sigma: number, confirm: string | null, context: ConditionContext): Promise<AlertCondition> {
  if (paths.length === 0 || paths.length > MAX_EXAMPLES) throw new UserError(`an image rule takes 1 to ${MAX_EXAMPLES} example pictures, got ${paths.length}`, 2);
  // The vector must be the store's model's: the one its clips are compared in.
  if (context.model === null) throw new UserError('an image rule needs the store\'s model to see its pictures with: ingest or watch a video first', 2);
  const vectors = await context.encodePictures(paths);
  const names = paths.map((path) => path.split(/[\\/]/).pop()!);
  return { kind: 'image', images: names, vector: weightedMean(vectors, vectors.map(() => 1)), sigma, confirm };
}

/** A word for what the object detector finds: one of its labels, or a word for some (someone, vehicle). */
async function detectable(object: string, option: string): Promise<string> {
  const [{ COCO_LABELS }, { labelsOf }] = await Promise.all([import('../src/detection/coco-labels.js'), import('./standing-queries.js')]);
  const word = object.trim().toLowerCase();
  if (!labelsOf(word).every((label) => COCO_LABELS.includes(label))) {
    throw new UserError(`${option} ${object}: not something the detector finds; give one of its labels (person, car, truck, dog, …) or a word for one (someone, vehicle, van)`, 2);
  }
  return word;
}

async function objectCondition(object: string, spec: NewAlert): Promise<AlertCondition> {
  if (spec.sigma !== undefined || spec.confirm !== undefined) throw new UserError('--sigma and --confirm are for --text and --image rules', 2);
  const word = await detectable(object, '--object');
  const minCount = spec.minCount ?? DEFAULTS.alerts.minCount;
  const minSeconds = spec.minSeconds ?? DEFAULTS.alerts.minSeconds;
  checkRange('minCount', minCount, LIMITS.minCount);
  checkRange('minSeconds', minSeconds, LIMITS.minSeconds);
  return { kind: 'object', object: word, minCount, minSeconds, zone: spec.zone === undefined ? null : checkZoneName(spec.zone.trim()) };
}
