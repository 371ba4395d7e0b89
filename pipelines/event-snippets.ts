/**
 * Each alert on a recorded live source keeps a snippet of what the source sent: from a few
 * seconds before the event began to some after it, cut out of the recording once that much has
 * been recorded, beside the flow (a clip never waits for it). When the watch ends, the snippets
 * still waiting are cut from what was recorded by then.
 */
import { asyncScheduler, catchError, concat, defer, finalize, ignoreElements, tap, throwError, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { AlertEventRecord } from '../src/core/alerts.js';
import { cutRecording } from '../src/sources/cut-recording.js';
import type { Binary } from '../src/sources/ffmpeg-binaries.js';
import type { MemoryStore } from '../storage/memory-store.js';

/** Seconds of the recording kept before an event began, and after. */
export const SNIPPET_BEFORE = 5;
export const SNIPPET_AFTER = 15;
/** A recorded file's last packets reach the disk a moment after they were sent. */
const WRITE_DELAY_MS = 2000;

export interface SnippetOptions {
  readonly store: MemoryStore;
  readonly ffmpeg: Binary;
  readonly onNotice: (line: string) => void;
  readonly scheduler?: SchedulerLike;
}

export function keepSnippets<T extends { readonly type: string }>(options: SnippetOptions): MonoTypeOperatorFunction<T> {
  const { store, ffmpeg } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  /** The snippet of an event, from the recordings that cover it; none for a source watched without recording. */
  const keep = async (alert: AlertEventRecord): Promise<void> => {
    const source = store.sources.byName(alert.source!);
    const from = alert.startedAt! + alert.start - SNIPPET_BEFORE;
    const to = alert.startedAt! + alert.start + SNIPPET_AFTER;
    const files = source ? store.sources.recordings(source, from, to) : [];
    if (files.length === 0) return;
    await store.alerts.keepSnippet(alert.id, (file) => cutRecording(files, from, to - from, file, ffmpeg));
  };
  return (events) =>
    defer(() => {
      const waiting = new Map<number, { readonly alert: AlertEventRecord; readonly timer: Subscription }>();
      const cutting = new Set<Promise<void>>();
      const cut = (alert: AlertEventRecord): void => {
        waiting.get(alert.id)?.timer.unsubscribe();
        waiting.delete(alert.id);
        const done: Promise<void> = keep(alert)
          .catch((err: unknown) => options.onNotice(`no snippet for alert ${alert.id}: ${err instanceof Error ? err.message : String(err)}`))
          .finally(() => cutting.delete(done));
        cutting.add(done);
      };
      const close = defer(async () => {
        for (const { alert } of [...waiting.values()]) cut(alert);
        await Promise.all(cutting);
      }).pipe(ignoreElements());
      return concat(
        events.pipe(
          tap((event) => {
            if (event.type !== 'alert') return;
            const alert = event as unknown as AlertEventRecord;
            if (alert.source === null || alert.startedAt === null) return;
            const due = (alert.startedAt + alert.start + SNIPPET_AFTER) * 1000 + WRITE_DELAY_MS - scheduler.now();
            waiting.set(alert.id, { alert, timer: scheduler.schedule(() => cut(alert), Math.max(0, due)) });
          }),
          catchError((err: unknown) => concat(close, throwError(() => err))),
        ),
        close,
      ).pipe(finalize(() => waiting.forEach(({ timer }) => timer.unsubscribe())));
    });
}
