/** What the store refuses to write: checked in full before anything is, so a bad clip leaves no trace. */
import type { MemoryToken } from '../src/core/clips.js';
import type { ModelIdentity } from '../src/core/model-identity.js';
import { StoreError } from './store-errors.js';

export function isSpan(start: number, end: number): boolean {
  return Number.isFinite(start) && Number.isFinite(end) && start >= 0 && end >= start;
}

export function checkVector(what: string, v: Float32Array, model: ModelIdentity): void {
  if (!(v instanceof Float32Array) || v.length !== model.dim) {
    throw new StoreError(`${what} has ${v?.length} values; model '${model.name}' makes ${model.dim}-d vectors`);
  }
  if (!v.every(Number.isFinite)) throw new StoreError(`${what} holds a value that is not a finite number`);
}

export interface ClipToCheck {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly indicator: Float32Array;
  readonly tokens: readonly MemoryToken[];
  readonly framesEncoded: number;
  readonly framesRepeat: number;
  readonly thumbnailJpeg?: Uint8Array;
}

export function checkClip(videoId: number, c: ClipToCheck, model: ModelIdentity): void {
  const what = `clip ${c.index} of video #${videoId}`;
  const fail = (why: string): never => {
    throw new StoreError(`${what}: ${why}`);
  };
  if (!Number.isInteger(c.index) || c.index < 0) fail(`index must be an integer ≥ 0`);
  if (!isSpan(c.start, c.end)) fail(`bad time span ${c.start}–${c.end}`);
  for (const [name, n] of [['framesEncoded', c.framesEncoded], ['framesRepeat', c.framesRepeat]] as const) {
    if (!Number.isInteger(n) || n < 0) fail(`${name} must be an integer ≥ 0, got ${n}`);
  }
  // An all-zero indicator is allowed: a frame may hold nothing a model knows (a grey scene for
  // palette); hnswlib's cosine space leaves it at distance 1 from every query.
  checkVector(`${what}: indicator`, c.indicator, model);
  c.tokens.forEach((t, k) => {
    checkVector(`${what}: token ${k}`, t.vector, model);
    if (!isSpan(t.start, t.end)) fail(`token ${k} has a bad time span ${t.start}–${t.end}`);
    if (!Number.isFinite(t.weight) || t.weight < 0) fail(`token ${k} has a bad weight ${t.weight}`);
  });
  if (c.thumbnailJpeg !== undefined && !(c.thumbnailJpeg instanceof Uint8Array && c.thumbnailJpeg.length > 0)) {
    fail('thumbnail is empty');
  }
}
