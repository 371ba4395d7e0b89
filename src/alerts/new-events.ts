/**
 * Events as they are raised, by this process or by any other writing the store (a `vidmem watch`
 * beside a server): the store is read again every `periodMs` for what came after the last one
 * seen. Polling keeps readers and the writer apart (SQLite has no notifications across
 * processes); a read that finds events reads again at once, so a follower that fell behind
 * catches up without waiting a period per page.
 */
import { concatMap, defer, expand, EMPTY, timer, type Observable, type SchedulerLike } from 'rxjs';

export interface NewEventsOptions {
  /** How often the store is read; a second keeps an alert's latency far below a clip's length. */
  readonly periodMs?: number;
  readonly scheduler?: SchedulerLike;
}

const PERIOD_MS = 1000;

/** `read(afterId)` gives the events after that id, oldest first, a page at a time. */
export function newEvents<E extends { readonly id: number }>(read: (afterId: number) => readonly E[], afterId: number, options: NewEventsOptions = {}): Observable<E> {
  return defer(() => {
    let last = afterId;
    const page = (): readonly E[] => {
      const events = read(last);
      if (events.length > 0) last = events.at(-1)!.id;
      return events;
    };
    return timer(0, options.periodMs ?? PERIOD_MS, options.scheduler).pipe(
      concatMap(() => defer(() => [page()]).pipe(expand((events) => (events.length > 0 ? [page()] : EMPTY)))),
      concatMap((events) => events),
    );
  });
}
