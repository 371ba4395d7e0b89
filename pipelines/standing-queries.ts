/**
 * Standing questions applied to clips as they are stored (by `watch`, and by `ingest` of files):
 * the store's rules, read again for every clip so that one added meanwhile applies from the next,
 * each text rule's text encoded once by the store's model; the rules checked (src/alerts); an
 * appearance's event written when it begins, an object rule's with its snapshot (the boxes it
 * counted drawn on the frame they were found in), and its end moved on while it lasts. The last
 * event a rule raised on a stream before (an earlier watch of the source) is where its cool-down
 * starts from, so a restart does not raise an appearance that is going on again.
 */
import { concatMap, defer, type OperatorFunction } from 'rxjs';
import type { AlertEventRecord, AlertRule } from '../src/core/alerts.js';
import { objectLabels } from '../src/core/object-words.js';
import { drawBoxes } from '../src/frames/draw-boxes.js';
import { checkRules, type ReadyRule, type RuleHit, type SeenClip } from '../src/alerts/check-rules.js';
import type { MemoryStore } from '../storage/memory-store.js';

export type { SeenClip } from '../src/alerts/check-rules.js';

/** An event raised: told once, when the appearance begins (its end as known then). */
export type AlertRaised = { readonly type: 'alert' } & AlertEventRecord;

export interface StandingQueriesContext {
  readonly store: MemoryStore;
  /** A text rule's vector, as a question's text is encoded. */
  readonly encodeText: (text: string) => Promise<Float32Array>;
}

/** The detector labels an object rule's word stands for: a word for them ("someone"), or a label itself. */
export function labelsOf(word: string): readonly string[] {
  const labels = objectLabels(word.toLowerCase());
  return labels.length > 0 ? labels : [word.toLowerCase()];
}

export function raiseAlerts(context: StandingQueriesContext): OperatorFunction<SeenClip, AlertRaised> {
  const { store } = context;
  return (clips) =>
    defer(() => {
      const vectors = new Map<number, Promise<Float32Array>>();
      /** The event each rule's appearance on a stream is going on in, and the clock its times count from. */
      const open = new Map<string, { readonly eventId: number; readonly origin: number }>();
      const ready = (rule: AlertRule): Promise<ReadyRule> | ReadyRule => {
        const { condition } = rule;
        if (condition.kind === 'object') return { rule: { ...rule, condition }, labels: labelsOf(condition.object) };
        const confirm = condition.confirm === null ? [] : labelsOf(condition.confirm);
        if (condition.kind === 'image') return { rule: { ...rule, condition }, vector: condition.vector, confirm };
        if (!vectors.has(rule.id)) vectors.set(rule.id, context.encodeText(condition.text));
        return vectors.get(rule.id)!.then((vector) => ({ rule: { ...rule, condition }, vector, confirm }));
      };
      const rules = (clip: SeenClip) => Promise.all(store.alerts.rules().filter((r) => r.source === null || r.source === clip.source).map(ready));

      const record = async (hit: RuleHit): Promise<AlertRaised[]> => {
        const { clip, rule } = hit;
        const key = `${rule.id}\u0000${clip.stream}`;
        if (hit.kind === 'extend') {
          const going = open.get(key);
          if (going) store.alerts.extend(going.eventId, hit.end - going.origin);
          return [];
        }
        const origin = clip.startedAt ?? 0;
        const shown = hit.counted.length > 0 ? clip.detectedIn.find((f) => f.time === hit.counted[0]!.time) : undefined;
        const snapshot = shown ? await drawBoxes(shown.frame, hit.counted) : undefined;
        const event = store.alerts.raise({
          ruleId: rule.id, ruleName: rule.name, videoId: clip.videoId, source: clip.source, path: clip.path,
          start: Math.max(0, hit.start - origin), end: hit.end - origin, startedAt: clip.startedAt, score: hit.score, clipId: clip.clipId,
        }, snapshot);
        open.set(key, { eventId: event.id, origin });
        return [{ type: 'alert' as const, ...event }];
      };
      const before = (clip: SeenClip, limit: number) =>
        store.videos.recentIndicators(clip.source !== null ? { source: clip.source } : { videoId: clip.videoId }, clip.clipId, limit);
      /** The event an earlier watch or ingest left on this stream: the one an appearance within its cool-down goes on in. */
      const lastEnd = (rule: AlertRule, clip: SeenClip): number | null => {
        const last = store.alerts.lastOfStream(rule.id, clip.source, clip.videoId);
        if (!last) return null;
        const origin = last.startedAt ?? 0;
        open.set(`${rule.id}\u0000${clip.stream}`, { eventId: last.id, origin });
        return origin + last.end;
      };
      return clips.pipe(checkRules({ rules, before, lastEnd }), concatMap(record), concatMap((raised) => raised));
    });
}
