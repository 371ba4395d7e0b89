/**
 * Live sources as the store keeps them: a source's timeline of segments (one per connection,
 * each a video whose clips count from its first frame's UTC time) and the gaps between them.
 * Clips are appended through the video library, like a file's.
 */
import type { RecordingFile, Recordings, SourceBudget } from './recordings.js';
import type { Removals } from './removals.js';
import type { LastClip, VideoLibrary } from './video-library.js';
import type { SourceGap, SourceRecord, SourcesRepository, SourceSummary } from './repositories/sources.js';
import { StoreError, type StoreFailures } from './store-errors.js';

export type { RecordingFile, SourceBudget } from './recordings.js';

/** As RecordingBudget, with the sources that have budgets of their own named as users name them. */
export interface RetentionBudget extends SourceBudget {
  readonly sources?: ReadonlyMap<string, SourceBudget>;
}
export type { SourceGap, SourceRecord, SourceSummary } from './repositories/sources.js';

export interface NewSegment {
  /** UTC seconds of the segment's first frame. */
  readonly startedAt: number;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly settings: Record<string, unknown>;
}

export interface LiveSourcesParts {
  readonly dir: string;
  readonly readonly: boolean;
  readonly sources: SourcesRepository;
  readonly library: VideoLibrary;
  readonly recordings: Recordings;
  readonly removals: Removals;
  readonly failures: StoreFailures;
  readonly transaction: <T>(work: () => T) => T;
}

export class LiveSources {
  constructor(private readonly parts: LiveSourcesParts) {}

  /** The source called `name`, made on first use; watching it at another URL keeps its timeline. */
  register(name: string, url: string): SourceRecord {
    return this.write(() => this.parts.sources.upsert(name, url));
  }

  byName(name: string): SourceRecord | undefined {
    return this.parts.failures.guard(() => this.parts.sources.byName(name));
  }

  /** A new segment of the source's timeline, ending the gap before it if there is one; returns its video id. */
  beginSegment(source: SourceRecord, segment: NewSegment, gapId?: number): number {
    return this.write(() =>
      this.parts.transaction(() => {
        const { id } = this.parts.library.begin({
          path: source.name, contentHash: `live:${source.id}:${segment.startedAt}`, durationSec: 0,
          fps: segment.fps, width: segment.width, height: segment.height, settings: segment.settings,
        });
        this.parts.sources.tieSegment(id, source.id, segment.startedAt);
        if (gapId !== undefined) this.parts.sources.closeGap(gapId, segment.startedAt);
        return id;
      }),
    );
  }

  /** A better estimate of when a segment began (see pipelines/watch-source.ts); the gap before it ends there too. */
  moveSegmentStart(videoId: number, startedAt: number, gapId?: number): void {
    this.write(() =>
      this.parts.transaction(() => {
        this.parts.sources.moveStart(videoId, startedAt);
        if (gapId !== undefined) this.parts.sources.endGapAt(gapId, startedAt);
      }),
    );
  }

  /** Where the segment's clips reach now; called as they are stored, so a killed watch leaves it right. */
  extendSegment(videoId: number, durationSec: number): void {
    this.write(() => this.parts.sources.setDuration(videoId, durationSec));
  }

  openGap(source: SourceRecord, start: number, reason: string): number {
    return this.write(() => this.parts.sources.openGap(source.id, start, reason));
  }

  gaps(source: SourceRecord): SourceGap[] {
    return this.parts.failures.guard(() => this.parts.sources.gaps(source.id));
  }

  /** The last clip of the source's last segment, and when that segment began: the memory a new segment carries on from. */
  lastClip(source: SourceRecord): (LastClip & { readonly segmentStartedAt: number }) | undefined {
    return this.parts.failures.guard(() => {
      const segment = this.parts.sources.lastSegment(source.id);
      const clip = segment && this.parts.library.lastClip(segment.id);
      return clip && { ...clip, segmentStartedAt: segment.startedAt };
    });
  }

  /** Where ffmpeg writes the source's stream as it comes (see recordings.ts). */
  recordingPattern(source: SourceRecord): string {
    return this.write(() => this.parts.recordings.pattern(source.id));
  }

  /** The name of the source's newest recorded file; null before its first. */
  newestRecording(source: SourceRecord): string | null {
    return this.parts.failures.guard(() => this.parts.recordings.newest(source.id));
  }

  /** Removes recordings of every source, oldest first, down to the budget (see recordings.ts). */
  pruneRecordings(budget: RetentionBudget, now: number): { files: number; bytes: number } {
    return this.write(() => {
      const { sources, ...shared } = budget;
      // A source not registered yet has nothing recorded to prune.
      const byId = new Map([...(sources ?? [])].flatMap(([name, own]) => {
        const source = this.parts.sources.byName(name);
        return source ? [[source.id, own] as const] : [];
      }));
      return this.parts.recordings.prune({ ...shared, sources: byId }, now);
    });
  }

  /**
   * Removes the source's memories of what ended before `time` (UTC seconds): clip by clip, oldest
   * first, with their keyframes, and the segments and gaps left empty; returns the clips removed.
   */
  pruneMemories(source: SourceRecord, time: number): number {
    return this.write(() => this.parts.removals.pruneSource(source.id, time));
  }

  /**
   * Removes a source with its segments, clips, keyframes, gaps and recordings (crash-safe, see
   * removals.ts); returns the clips removed, null when there was no such source.
   */
  remove(source: SourceRecord): number | null {
    return this.write(() => this.parts.removals.removeSource(source.id));
  }

  /** The source's recorded files that share some time with from–to (UTC seconds). */
  recordings(source: SourceRecord, from: number, to: number): RecordingFile[] {
    return this.parts.failures.guard(() => this.parts.recordings.covering(source.id, from, to));
  }

  list(): SourceSummary[] {
    return this.parts.failures.guard(() => this.parts.sources.list());
  }

  private write<T>(work: () => T): T {
    if (this.parts.readonly) throw new StoreError(`store ${this.parts.dir} was opened read-only`);
    return this.parts.failures.guard(work);
  }
}
