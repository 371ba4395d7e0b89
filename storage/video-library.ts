/**
 * Videos and their clips: registering a video, appending its clips (row, memory, keyframe and
 * index entry together), finishing it, and every read a question makes of them.
 *
 * Crash safety rests on ordering: a thumbnail is written before its clip row (an orphan file is
 * harmless and overwritten on resume), a clip and its tokens commit in one transaction, and the
 * index on disk is only trusted after it has been checked against SQLite (see index-cache).
 */
import type { ClipText, TextChannel, TextMatch } from '../src/core/clip-text.js';
import type { ClipRef, MemoryToken, RankedClip, RememberedClip } from '../src/core/clips.js';
import type { ClipDetection } from '../src/core/detections.js';
import type { MemoryReader, ReadScope } from '../src/core/ports/memory-reader.js';
import { checkClip, checkVector, type ClipToCheck } from './checks.js';
import { exactNearest } from './exact-nearest.js';
import type { IndexCache } from './index-cache.js';
import type { ClipTextsRepository } from './repositories/clip-texts.js';
import type { ClipsRepository } from './repositories/clips.js';
import type { DetectionsRepository } from './repositories/detections.js';
import type { ModelsRepository } from './repositories/models.js';
import type { Removals } from './removals.js';
import type { NewVideo, VideoRecord, VideoStatus, VideoSummary, VideosRepository } from './repositories/videos.js';
import { StoreError, type StoreFailures } from './store-errors.js';
import { textRelevance } from './text-relevance.js';
import type { Thumbnails } from './thumbnails.js';
import type { IndexHit } from './vector-index.js';

/** 11 hours of 4-second clips: scored in a few milliseconds (see nearestLabels). */
const EXACT_SEARCH_MAX_CLIPS = 10_000;

/** A clip as `appendClip` takes it: the library picks the keyframe's path and writes its bytes. */
export interface NewClipInput extends ClipToCheck {
  /** What is known of the clip as text (slide lines, cues), stored with it. */
  readonly texts?: readonly ClipText[];
  /** The text channels that were read for this clip, so that the video counts as read up to its end. */
  readonly channelsRead?: readonly TextChannel[];
  /** What the object detector found in it, box by box. */
  readonly detections?: readonly ClipDetection[];
}

/** Text found for a stored clip afterwards (`reindex --text`). */
export interface ClipTexts {
  readonly index: number;
  readonly texts: readonly ClipText[];
}

/** The last stored clip of a video and its memory, from which an interrupted ingest resumes. */
export interface LastClip {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly tokens: MemoryToken[];
}

export interface LibraryParts {
  readonly dir: string;
  readonly readonly: boolean;
  readonly models: ModelsRepository;
  readonly videos: VideosRepository;
  readonly clips: ClipsRepository;
  readonly texts: ClipTextsRepository;
  readonly detections: DetectionsRepository;
  /** Runs `work` in one transaction. */
  readonly transaction: <T>(work: () => T) => T;
  readonly index: IndexCache;
  readonly thumbnails: Thumbnails;
  readonly removals: Removals;
  readonly failures: StoreFailures;
}

export class VideoLibrary implements MemoryReader {
  constructor(private readonly parts: LibraryParts) {}

  get(id: number): VideoRecord | undefined {
    return this.guard(() => this.parts.videos.byId(id));
  }

  /** The name of the live source a video is a segment of; null for a file. */
  sourceOf(id: number): string | null {
    return this.guard(() => this.parts.videos.sourceName(id));
  }

  findByHash(hash: string): VideoRecord | undefined {
    return this.guard(() => this.parts.videos.byHash(hash));
  }

  /**
   * The stored video a file is a grown copy of: the longest one whose whole file equals the
   * file's first bytes. `prefixes` are the file's prefix hashes by length (see `sizesBelow`).
   */
  findGrownFrom(prefixes: ReadonlyMap<number, string>): VideoRecord | undefined {
    return this.guard(() => {
      const longestFirst = [...prefixes].sort(([a], [b]) => b - a);
      for (const [size, hash] of longestFirst) {
        const found = this.parts.videos.byPrefix(hash, size);
        if (found) return found;
      }
      return undefined;
    });
  }

  /** Lengths of the stored videos' files that are shorter than `size`. */
  sizesBelow(size: number): number[] {
    return this.guard(() => this.parts.videos.sizesBelow(size));
  }

  /**
   * Continues video `from` with the file it has grown into: the row takes on the file's path,
   * hash, length and duration and is ingesting again, its clips kept.
   */
  grow(from: VideoRecord, grown: { readonly path: string; readonly contentHash: string; readonly sizeBytes: number; readonly durationSec: number }): void {
    this.guard(() => {
      this.assertWritable();
      if (!this.parts.videos.grow(from.id, from.contentHash, grown)) {
        throw new StoreError(`video #${from.id} (${from.path}) was changed by another process while this one was continuing it; run the ingest again`);
      }
    });
  }

  list(): VideoSummary[] {
    return this.guard(() => this.parts.videos.list());
  }

  /** One video as `list` gives it, without listing the others. */
  summary(id: number): VideoSummary | undefined {
    return this.guard(() => this.parts.videos.summary(id));
  }

  count(): number {
    return this.guard(() => this.parts.videos.count());
  }

  /** A new video in status 'ingesting'. */
  begin(v: NewVideo): VideoRecord {
    return this.guard(() => {
      this.assertWritable();
      const bad = (['durationSec', 'fps', 'width', 'height'] as const).find((k) => !Number.isFinite(v[k]) || v[k] < 0);
      if (bad) throw new StoreError(`video ${v.path}: ${bad} must be a finite number ≥ 0, got ${v[bad]}`);
      if (!v.contentHash) throw new StoreError(`video ${v.path}: no content hash`);
      const inserted = this.parts.videos.insert(v);
      if (inserted) return inserted;
      const existing = this.parts.videos.byHash(v.contentHash)!;
      throw new StoreError(`video ${v.path} is already stored as #${existing.id} (${existing.status}, from ${existing.path})`);
    });
  }

  lastClip(videoId: number): LastClip | undefined {
    return this.guard(() => {
      const last = this.parts.clips.last(videoId);
      return last && { index: last.index, start: last.start, end: last.end, tokens: this.parts.clips.tokens(last.clipId) };
    });
  }

  /** Stores one clip; returns its id. Input is checked in full before anything is written. */
  appendClip(videoId: number, c: NewClipInput): number {
    return this.guard(() => {
      this.assertWritable();
      const { models, videos, clips, index, thumbnails } = this.parts;
      const model = models.get();
      if (!model) throw new StoreError(`store ${this.parts.dir} has no model yet; bind one before appending clips`);
      const video = videos.byId(videoId);
      if (!video) throw new StoreError(`store ${this.parts.dir} has no video #${videoId}`);
      if (video.status === 'complete') throw new StoreError(`video #${videoId} (${video.path}) is complete; it takes no more clips`);
      checkClip(videoId, c, model);
      const alreadyStored = () => new StoreError(`clip ${c.index} of video #${videoId} is already stored`);
      // Before the thumbnail write: an existing clip's keyframe must not be replaced.
      if (clips.has(videoId, c.index)) throw alreadyStored();
      // Loaded before the insert so that its catch-up from SQLite does not see this clip too.
      index.get();
      const thumbPath = c.thumbnailJpeg ? thumbnails.write(videoId, c.index, c.thumbnailJpeg) : null;
      const position = { videoId, index: c.index, start: c.start, end: c.end };
      const clip = { ...position, indicator: c.indicator, tokens: c.tokens, framesEncoded: c.framesEncoded, framesRepeat: c.framesRepeat, thumbPath };
      let id: number;
      try {
        // A clip and what is known of it (texts, boxes) commit together, or not at all.
        id = this.parts.transaction(() => {
          const clipId = clips.insert(clip);
          this.parts.texts.insert(clipId, c.texts ?? []);
          this.parts.detections.insert(clipId, c.detections ?? []);
          for (const channel of c.channelsRead ?? []) this.parts.texts.markRead(videoId, channel, c.end);
          return clipId;
        });
      } catch (err) {
        // Another process appending to the same video stored it since the check above.
        throw (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' ? alreadyStored() : err;
      }
      index.add(id, c.indicator, position);
      return id;
    });
  }

  /** What the object detector found in a clip, the surest first; none for a clip it did not look at or an unknown clip. */
  detectionsOf(clipId: number): ClipDetection[] {
    return this.guard(() => this.parts.detections.ofClip(clipId));
  }

  /** Seconds of the video whose text has been read, by channel. */
  textReadUntil(videoId: number): Map<TextChannel, number> {
    return this.guard(() => this.parts.texts.readUntil(videoId));
  }

  /**
   * Adds text of one channel to stored clips and marks the video read on that channel up to
   * `until`, together: an interrupted reindex resumes after the last clip it stored text for.
   */
  addTexts(videoId: number, channel: TextChannel, found: readonly ClipTexts[], until: number): void {
    this.guard(() => {
      this.assertWritable();
      const { clips, texts } = this.parts;
      const ids = new Map(clips.ofVideo(videoId).map((clip) => [clip.index, clip.clipId]));
      for (const { index, texts: pieces } of found) {
        if (!ids.has(index)) throw new StoreError(`video #${videoId} has no clip ${index}`);
        const wrong = pieces.find((piece) => piece.channel !== channel);
        if (wrong) throw new StoreError(`text of the ${wrong.channel} channel given as ${channel}`);
      }
      this.parts.transaction(() => {
        for (const { index, texts: pieces } of found) texts.insert(ids.get(index)!, pieces);
        texts.markRead(videoId, channel, until);
      });
    });
  }

  /**
   * Removes a video: its clips, their memories, texts and keyframes, its entries in the index, and
   * the chat sessions about it. Returns how many clips went; null when the store has no such video
   * (another process may just have removed it). Crash-safe, and the index is saved without it on
   * close (see removals.ts).
   */
  remove(videoId: number): number | null {
    return this.guard(() => {
      this.assertWritable();
      return this.parts.removals.removeVideo(videoId);
    });
  }

  /** Removes the keyframes of clips `time` (UTC seconds) or older, keeping the clips (see removals.ts); returns how many went. */
  pruneKeyframes(time: number): number {
    return this.guard(() => {
      this.assertWritable();
      return this.parts.removals.pruneKeyframes(time);
    });
  }

  /** Marks the end of an ingest and persists the index. */
  finish(videoId: number, status: Exclude<VideoStatus, 'ingesting'>, stats: Record<string, unknown>): void {
    this.guard(() => {
      this.assertWritable();
      if (status !== 'complete' && status !== 'incomplete') throw new StoreError(`unknown video status '${String(status)}'`);
      if (!this.parts.videos.finish(videoId, status, stats)) throw new StoreError(`store ${this.parts.dir} has no video #${videoId}`);
      this.parts.index.flush();
    });
  }

  clipsOf(videoId: number): ClipRef[] {
    return this.guard(() => this.parts.clips.ofVideo(videoId));
  }

  clipsOverlapping(videoId: number, start: number, end: number): ClipRef[] {
    return this.guard(() => this.parts.clips.overlapping(videoId, start, end));
  }

  clipCounts(): Array<{ videoId: number; clips: number; startedAt: number | null }> {
    return this.guard(() => this.parts.clips.counts());
  }

  textMatches(terms: readonly string[], options: ReadScope & { top: number }): TextMatch[] {
    return this.guard(() => {
      const { texts, clips } = this.parts;
      // Trigrams need three characters; a shorter word is matched by the word index alone.
      const long = terms.filter((term) => [...term].length >= 3);
      const { within } = options;
      // Within a time window, the matches are looked for among all and kept where they fall in it.
      const limit = within ? options.top * 16 : options.top;
      const byIndex = [texts.matching('words', terms, limit, options.videoId), texts.matching('grams', long, limit, options.videoId)];
      const matches = textRelevance(terms, byIndex);
      const allowed = within ? clips.idsWithin(within.from, within.to, options.videoId) : undefined;
      return (allowed ? matches.filter((m) => allowed.has(m.clipId)) : matches).slice(0, options.top);
    });
  }

  /** What clips before `beforeClipId` looked like, in one video or one live source's segments, oldest first: the usual a standing question compares a new clip with. */
  recentIndicators(scope: { readonly videoId: number } | { readonly source: string }, beforeClipId: number, limit: number): Float32Array[] {
    return this.guard(() => this.parts.clips.recentIndicators(scope, beforeClipId, limit));
  }

  clipTexts(clipIds: readonly number[]): Map<number, ClipText[]> {
    return this.guard(() => this.parts.texts.ofClips(clipIds));
  }

  clipMemories(clipIds: readonly number[]): Map<number, RememberedClip> {
    return this.guard(() => {
      const found = new Map<number, RememberedClip>();
      for (const [id, c] of this.parts.clips.memories(clipIds)) {
        found.set(id, {
          clipId: id, videoId: c.videoId, index: c.index, start: c.start, end: c.end, videoPath: c.videoPath, startedAt: c.startedAt,
          thumbnail: this.parts.thumbnails.path(c.thumbPath), indicator: c.indicator, tokens: c.tokens,
        });
      }
      return found;
    });
  }

  /**
   * An all-zero query (a text the model knows no word of) has no direction and matches nothing.
   */
  nearestClips(query: Float32Array, options: ReadScope & { top: number }): RankedClip[] {
    return this.guard(() => {
      const index = this.parts.index.get();
      const ranked: RankedClip[] = [];
      for (const { label, score } of this.nearestLabels(query, options)) {
        const at = index?.positionOf(label);
        if (at) ranked.push({ clipId: label, videoId: at.videoId, index: at.index, start: at.start, end: at.end, score });
      }
      return ranked;
    });
  }

  /**
   * Index labels (clip ids) nearest the query, best first. Within one video of up to
   * EXACT_SEARCH_MAX_CLIPS clips they are found exactly rather than through the index (see
   * exact-nearest); a longer video is a large enough part of the graph for a filtered HNSW search.
   */
  private nearestLabels(query: Float32Array, options: ReadScope & { top: number }): IndexHit[] {
    const { clips } = this.parts;
    const index = this.parts.index.read();
    if (!index) return [];
    checkVector(`query`, query, index.model);
    if (query.every((x) => x === 0)) return [];
    const top = Math.floor(options.top);
    if (!(top >= 1)) return [];
    // A time window is a small part of a store (minutes of a camera's months): its clips are scored exactly.
    if (options.within) return exactNearest(query, clips.indicatorsWithin(options.within.from, options.within.to, options.videoId), top);
    if (options.videoId === undefined) return index.count > 0 ? index.search(query, Math.min(top, index.count)) : [];
    if (clips.countOfVideo(options.videoId) <= EXACT_SEARCH_MAX_CLIPS) {
      return exactNearest(query, clips.indicatorsOfVideo(options.videoId), top);
    }
    const allowed = clips.idsOfVideo(options.videoId);
    return index.search(query, Math.min(top, allowed.size), (label) => allowed.has(label));
  }

  private assertWritable(): void {
    if (this.parts.readonly) throw new StoreError(`store ${this.parts.dir} is open read-only`);
  }

  private guard<T>(operation: () => T): T {
    return this.parts.failures.guard(operation);
  }
}
