/**
 * Events POSTed as JSON to a webhook, off the path of whatever raised them: each is tried until
 * the server answers 2xx, waiting 1, 2, 4 … up to `maxDelayMs` between tries (capped exponential
 * backoff), a few at a time, and given up after `maxTries`. A failure is one line to `onFailure`;
 * nothing a webhook does slows or stops the watch.
 */
import {
  asyncScheduler, BehaviorSubject, catchError, defer, EMPTY, filter, finalize, firstValueFrom, map, mergeMap, race, retry, Subject,
  timer, type SchedulerLike, type Subscription,
} from 'rxjs';

export interface WebhookOptions {
  readonly url: string;
  /** Told one line per failed try, and when an event is given up. */
  readonly onFailure: (line: string) => void;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly maxTries?: number;
  /** How long one POST may take. */
  readonly timeoutMs?: number;
  /** Events held while the webhook is down; past this, new ones are dropped (and told). */
  readonly maxPending?: number;
  /** Timers of the backoff; injectable for tests. */
  readonly scheduler?: SchedulerLike;
  readonly fetch?: typeof fetch;
}

/** What goes to the webhook: any JSON, with a name for the lines that tell of failures. */
export interface WebhookMessage {
  readonly body: unknown;
  /** "alert 3", for people. */
  readonly label: string;
}

export function backoffMs(failures: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** (failures - 1));
}

export class WebhookDelivery {
  private readonly queue = new Subject<WebhookMessage>();
  private readonly pending = new BehaviorSubject(0);
  private readonly subscription: Subscription;
  private readonly scheduler: SchedulerLike;

  constructor(private readonly options: WebhookOptions) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    const first = options.firstDelayMs ?? 1000;
    const max = options.maxDelayMs ?? 30_000;
    const tries = options.maxTries ?? 8;
    this.subscription = this.queue
      .pipe(
        mergeMap(
          (message) =>
            defer(() => this.post(message.body)).pipe(
              retry({
                count: tries - 1,
                delay: (err: unknown, failures: number) => {
                  const wait = backoffMs(failures, first, max);
                  options.onFailure(`webhook ${options.url}: ${describe(err)} for ${message.label}; trying again in ${formatWait(wait)}`);
                  return timer(wait, this.scheduler);
                },
              }),
              catchError((err: unknown) => {
                options.onFailure(`webhook ${options.url}: ${describe(err)} for ${message.label}; given up after ${tries} tries`);
                return EMPTY;
              }),
              finalize(() => this.pending.next(this.pending.value - 1)),
            ),
          4,
        ),
      )
      .subscribe();
  }

  /** Queues an event; returns at once. */
  send(message: WebhookMessage): void {
    if (this.pending.value >= (this.options.maxPending ?? 1000)) {
      this.options.onFailure(`webhook ${this.options.url}: ${this.pending.value} events waiting already; ${message.label} dropped`);
      return;
    }
    this.pending.next(this.pending.value + 1);
    this.queue.next(message);
  }

  /** Waits until everything queued was delivered or given up, or `waitMs` passed; then stops. Returns how many were left undelivered. */
  async close(waitMs: number): Promise<number> {
    await firstValueFrom(race(this.pending.pipe(filter((n) => n === 0)), timer(waitMs, this.scheduler).pipe(map(() => 0))));
    const left = this.pending.value;
    this.subscription.unsubscribe();
    this.queue.complete();
    return left;
  }

  private async post(body: unknown): Promise<void> {
    const response = await (this.options.fetch ?? fetch)(this.options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    // The body is read, so that the connection can be used again.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}

function formatWait(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
