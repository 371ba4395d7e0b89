/**
 * Removing what is kept: a video with all of its clips, a live source's clips past their
 * retention, a live source with everything of it, or old keyframes (the clips stay, without a
 * picture). The rows go first, in one transaction that also lists the keyframe files they leave
 * in `files_to_remove` and moves the store's removals counter on; the files go after, and their
 * list is cleared last. A kill at any moment leaves the rows all there or all gone, and at most
 * files no row points at, still listed: the next removal, or the next writer that opens the store,
 * removes them. This process's index drops the clips at once; other processes' indexes and the
 * one on disk drop them when they see the counter moved (see index-cache).
 */
import type { IndexCache } from './index-cache.js';
import type { AlertsRepository } from './repositories/alerts.js';
import type { ClipTextsRepository } from './repositories/clip-texts.js';
import type { ClipsRepository } from './repositories/clips.js';
import type { RemovalsRepository } from './repositories/removals.js';
import type { SourcesRepository } from './repositories/sources.js';
import type { VideosRepository } from './repositories/videos.js';
import type { Recordings } from './recordings.js';
import type { Thumbnails } from './thumbnails.js';

/**
 * Clips pruned per transaction: each holds the store's write lock, which other writers (cameras,
 * ingests) wait for only so long, and a first prune of a long-watched camera can be months of clips.
 */
const PRUNE_BATCH = 2000;

export interface RemovalParts {
  readonly clips: ClipsRepository;
  readonly texts: ClipTextsRepository;
  readonly videos: VideosRepository;
  readonly sources: SourcesRepository;
  /** Events keep a copy of their clip's keyframe path, which must go with the file. */
  readonly alerts: AlertsRepository;
  readonly removals: RemovalsRepository;
  readonly index: IndexCache;
  readonly thumbnails: Thumbnails;
  readonly recordings: Recordings;
  /** Runs `work` in one transaction that holds the write lock from its start. */
  readonly writeTransaction: <T>(work: () => T) => T;
}

export class Removals {
  constructor(private readonly parts: RemovalParts) {}

  /** Removes a video, its clips and everything known of them; returns the clips removed, null when there is no such video. */
  removeVideo(videoId: number): number | null {
    const { clips, videos, thumbnails } = this.parts;
    const removed = this.commit(() => {
      const ids = [...clips.idsOfVideo(videoId)];
      this.removeClips(ids);
      if (!videos.remove(videoId)) return null;
      return { ids, files: [thumbnails.folder(videoId)] };
    });
    this.removeFiles();
    return removed && removed.length;
  }

  /**
   * Removes the source's clips that ended by `time` (UTC seconds), oldest first, and the segments
   * and gaps they leave empty before it; returns how many clips went.
   */
  pruneSource(sourceId: number, time: number): number {
    const { clips, videos, sources, thumbnails } = this.parts;
    let pruned = 0;
    let batch: number;
    do {
      batch = this.commit(() => {
        const old = sources
          .segmentsBefore(sourceId, time)
          .flatMap((segment) => clips.endingBy(segment.id, time - segment.startedAt, PRUNE_BATCH))
          .slice(0, PRUNE_BATCH);
        const ids = old.map((clip) => clip.id);
        this.removeClips(ids);
        const files = old.flatMap((clip) => (clip.thumbPath === null ? [] : [clip.thumbPath]));
        for (const segment of sources.emptySegmentsBy(sourceId, time)) {
          videos.remove(segment);
          files.push(thumbnails.folder(segment));
        }
        sources.removeGapsBy(sourceId, time);
        return ids.length > 0 || files.length > 0 ? { ids, files } : null;
      })?.length ?? 0;
      pruned += batch;
    } while (batch > 0);
    this.removeFiles();
    return pruned;
  }

  /**
   * Removes a live source: its clips (as pruning does, a batch a transaction), then its segments,
   * gaps and the source itself with its recordings. A kill in between leaves a source with fewer
   * clips, which removing it again finishes. Returns the clips removed, null when there is no such source.
   */
  removeSource(sourceId: number): number | null {
    const { sources, recordings } = this.parts;
    const clips = this.pruneSource(sourceId, Number.POSITIVE_INFINITY);
    const removed = this.commit(() => (sources.remove(sourceId) ? { ids: [], files: [recordings.folder(sourceId)] } : null));
    this.removeFiles();
    return removed && clips;
  }

  /**
   * Removes the keyframes of the clips that are `time` (UTC seconds) or older: a live clip by its
   * end, a file's clips by when it was ingested. The clips, their memories and texts stay, so
   * questions still find them, shown without a picture; returns how many keyframes went.
   */
  pruneKeyframes(time: number): number {
    const { clips, alerts, removals } = this.parts;
    let pruned = 0;
    let batch: number;
    do {
      // No clip leaves the index, so the removals counter stays.
      batch = this.parts.writeTransaction(() => {
        const old = clips.keyframesBy(time, PRUNE_BATCH);
        const ids = old.map((clip) => clip.id);
        clips.forgetKeyframes(ids);
        alerts.forgetKeyframes(ids);
        removals.addFiles(old.map((clip) => clip.thumbPath));
        return ids.length;
      });
      pruned += batch;
    } while (batch > 0);
    this.removeFiles();
    return pruned;
  }

  /** Removes the files that removals left listed (a kill between their rows and their files). */
  removeFiles(): void {
    const { removals, thumbnails, recordings } = this.parts;
    for (const path of removals.files()) {
      try {
        if (!recordings.remove(path)) thumbnails.remove(path);
      } catch {
        // Stays listed: the next removal tries again. A file nothing points at confuses nothing meanwhile.
        continue;
      }
      removals.removed(path);
    }
  }

  /**
   * Runs `work`, which removes rows and says which clips and files went (null: nothing), in one
   * transaction with the files listed and the counter moved on; the index drops the clips after.
   */
  private commit(work: () => { ids: number[]; files: string[] } | null): number[] | null {
    const { index, removals } = this.parts;
    // Loaded before, so that it is there to drop the clips from, and saved without them on close.
    index.get();
    const done = this.parts.writeTransaction(() => {
      const removed = work();
      if (!removed) return null;
      removals.addFiles(removed.files);
      return { ids: removed.ids, count: removals.bump() };
    });
    if (!done) return null;
    index.removed(done.ids, done.count);
    return done.ids;
  }

  private removeClips(ids: readonly number[]): void {
    this.parts.texts.removeOfClips(ids);
    this.parts.alerts.forgetKeyframes(ids);
    this.parts.clips.remove(ids);
  }
}
