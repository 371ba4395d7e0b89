/**
 * What the server does besides answering: files ingested one after another (jobs a client follows
 * by id), and live sources watched until told to stop. It ends with the server: an ingest cut
 * short resumes on the next run, and every watched source commits its open clips.
 */
import { BehaviorSubject, type Observable, Subject, filter, map, takeUntil, takeWhile } from 'rxjs';
import { NotFoundError, UserError } from '../core/errors.js';
import type { IngestOptions, Vidmem, WatchOptions } from '../../pipelines/vidmem.js';
import type { LiveSource } from '../../pipelines/live-source.js';
import type { JobReply } from './schemas.js';

type JobState = JobReply & { readonly settled: boolean };

interface Running {
  readonly state$: BehaviorSubject<JobState>;
  readonly cancel$: Subject<void>;
}

interface Watcher {
  readonly url: string;
  readonly stop$: Subject<void>;
  readonly ended: Promise<void>;
  framesDropped: number;
}

const SETTLED = new Set(['done', 'failed', 'cancelled']);

export class BackgroundWork {
  private readonly jobs = new Map<number, Running>();
  private readonly watchers = new Map<string, Watcher>();
  private nextId = 1;
  private readonly closing$ = new Subject<void>();
  /** Ingests run one at a time: each already uses every core the encoder is given. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly app: Vidmem,
    private readonly onError: (message: string) => void,
  ) {}

  ingest(path: string, options: IngestOptions): JobReply {
    const id = this.nextId++;
    const state$ = new BehaviorSubject<JobState>({ id, type: 'ingest', path, status: 'queued', progress: 0, clips: 0, videoId: null, error: null, settled: false });
    const running: Running = { state$, cancel$: new Subject<void>() };
    this.jobs.set(id, running);
    this.queue = this.queue.then(() => this.run(running, path, options));
    return this.job(id);
  }

  private run({ state$, cancel$ }: Running, path: string, options: IngestOptions): Promise<void> {
    const update = (change: Partial<JobState>) => state$.next({ ...state$.value, ...change, settled: SETTLED.has(change.status ?? state$.value.status) });
    if (state$.value.status === 'cancelled') return Promise.resolve();
    update({ status: 'running' });
    return new Promise<void>((resolve) => {
      const subscription = this.app.ingest(path, options).subscribe({
        next: (event) => {
          if (event.type === 'progress') update({ progress: event.durationSec > 0 ? Math.min(1, event.position / event.durationSec) : 0, clips: event.clips });
          else if (event.type === 'done') update({ status: 'done', progress: 1, clips: event.clips, videoId: event.videoId });
        },
        error: (err: unknown) => {
          if (!(err instanceof UserError)) this.onError(`ingest of ${path} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          update({ status: 'failed', error: err instanceof Error ? err.message : String(err) });
          resolve();
        },
        complete: resolve,
      });
      cancel$.subscribe(() => {
        subscription.unsubscribe();
        update({ status: 'cancelled' });
        resolve();
      });
    });
  }

  /** The job of this server that is ingesting a file now, or is queued to. */
  ingestOf(path: string): JobReply | undefined {
    return this.list().find((job) => job.path === path && (job.status === 'queued' || job.status === 'running'));
  }

  job(id: number): JobReply {
    const running = this.jobs.get(id);
    if (!running) throw new NotFoundError(`no job ${id} (jobs are kept while the server runs)`);
    const { settled: _settled, ...job } = running.state$.value;
    return job;
  }

  list(): JobReply[] {
    return [...this.jobs.keys()].map((id) => this.job(id));
  }

  /** A job's state now and at every change, until it is done, failed or cancelled. */
  follow(id: number): Observable<JobReply> {
    this.job(id);
    return this.jobs.get(id)!.state$.pipe(
      takeWhile((state) => !state.settled, true),
      map(({ settled: _settled, ...job }) => job),
    );
  }

  /** Stops a queued or running ingest; what it stored stays, and ingesting the file again resumes it. */
  cancel(id: number): JobReply {
    const running = this.jobs.get(id);
    if (!running) throw new NotFoundError(`no job ${id} (jobs are kept while the server runs)`);
    if (running.state$.value.status === 'queued') running.state$.next({ ...running.state$.value, status: 'cancelled', settled: true });
    else if (!running.state$.value.settled) running.cancel$.next();
    return this.job(id);
  }

  /** Watches a source until stopped; options the application refuses are refused here, before it counts as watched. */
  watch(source: LiveSource, options: Pick<WatchOptions, 'record' | 'detect' | 'detectFps' | 'zones'>): void {
    if (this.watchers.has(source.name)) throw new UserError(`source '${source.name}' is already being watched`);
    const stop$ = new Subject<void>();
    const events$ = this.app.watch([source], { ...options, stop$ });
    let resolveEnded!: () => void;
    const watcher: Watcher = { url: source.url, stop$, ended: new Promise((resolve) => (resolveEnded = resolve)), framesDropped: 0 };
    this.watchers.set(source.name, watcher);
    events$
      .pipe(filter((event) => event.type === 'clip'))
      .subscribe({
        next: (event) => {
          if (event.type === 'clip') watcher.framesDropped = event.framesDropped;
        },
        error: (err: unknown) => {
          this.onError(`watching ${source.name} ended: ${err instanceof Error ? err.message : String(err)}`);
          this.watchers.delete(source.name);
          resolveEnded();
        },
        complete: () => {
          this.watchers.delete(source.name);
          resolveEnded();
        },
      });
  }

  /** Whether a source is watched here now, and the frames it dropped on its current connection. */
  watching(name: string): { watching: boolean; framesDropped: number } {
    const watcher = this.watchers.get(name);
    return { watching: watcher !== undefined, framesDropped: watcher?.framesDropped ?? 0 };
  }

  watchedNames(): string[] {
    return [...this.watchers.keys()];
  }

  watchedUrl(name: string): string | undefined {
    return this.watchers.get(name)?.url;
  }

  /** Ends a watch once its open clips are committed. */
  async stopWatching(name: string): Promise<void> {
    const watcher = this.watchers.get(name);
    if (!watcher) throw new NotFoundError(`source '${name}' is not being watched by this server`);
    watcher.stop$.next();
    await watcher.ended;
  }

  /** A stream that would go on for ever (events as they are raised) ends with the server, so that its connections let it close. */
  untilClosed<T>(events$: Observable<T>): Observable<T> {
    return events$.pipe(takeUntil(this.closing$));
  }

  async close(): Promise<void> {
    this.closing$.next();
    for (const id of this.jobs.keys()) this.cancel(id);
    await Promise.all([...this.watchers.keys()].map((name) => this.stopWatching(name)));
    await this.queue;
  }
}
