/** The `clips` and `clip_memories` tables: a clip and its memory are written and read together. */
import type Database from 'better-sqlite3';
import type { ClipPosition, ClipRef, MemoryToken } from '../../src/core/clips.js';
import { blobToTokens, blobToVector, tokensToBlob, vectorToBlob } from '../blobs.js';

export interface NewClip extends ClipPosition {
  readonly indicator: Float32Array;
  readonly tokens: readonly MemoryToken[];
  readonly framesEncoded: number;
  readonly framesRepeat: number;
  /** Relative to the store folder. */
  readonly thumbPath: string | null;
}

/** A clip row as read back: its place, its video's path, its keyframe relative to the store, its memory. */
export interface ClipRow extends ClipRef {
  readonly videoPath: string;
  readonly startedAt: number | null;
  readonly thumbPath: string | null;
  readonly indicator: Float32Array;
  readonly tokens: MemoryToken[];
}

type MemoryRow = [number, number, number, number, number, string, number | null, string | null, Buffer, Buffer | null];

const REF = 'id AS clipId, video_id AS videoId, idx AS "index", start_sec AS start, end_sec AS "end"';

export class ClipsRepository {
  private readonly insertClipStmt: Database.Statement<unknown[]>;
  private readonly insertMemoryStmt: Database.Statement<[number, Buffer]>;
  private readonly insertTx: (c: NewClip) => number;
  private readonly hasStmt: Database.Statement<[number, number], number>;
  private readonly lastStmt: Database.Statement<[number], ClipRef>;
  private readonly ofVideoStmt: Database.Statement<[number], ClipRef>;
  private readonly idsOfVideoStmt: Database.Statement<[number], number>;
  private readonly countOfVideoStmt: Database.Statement<[number], number>;
  private readonly countsStmt: Database.Statement<[], { videoId: number; clips: number; startedAt: number | null }>;
  private readonly withinStmt: Database.Statement<[number, number, number | null, number | null], [number, Buffer]>;
  private readonly idsWithinStmt: Database.Statement<[number, number, number | null, number | null], number>;
  private readonly indicatorsOfVideoStmt: Database.Statement<[number], [number, Buffer]>;
  private readonly overlappingStmt: Database.Statement<[number, number, number], ClipRef>;
  private readonly tokensStmt: Database.Statement<[number], Buffer>;
  private readonly memoriesStmt: Database.Statement<[string], MemoryRow>;
  private readonly countUpToStmt: Database.Statement<[number], number>;
  private readonly idsAfterStmt: Database.Statement<[number], number>;
  private readonly indexRowsStmt: Database.Statement<[number, number], [number, number, number, number, number, Buffer]>;
  private readonly idsUpToStmt: Database.Statement<[number], number>;
  private readonly byAgeStmt: Database.Statement<[number], [number, number, string | null]>;
  private readonly removeMemoriesStmt: Database.Statement<[string]>;
  private readonly removeStmt: Database.Statement<[string]>;
  private readonly recentOfVideoStmt: Database.Statement<[number, number, number], Buffer>;
  private readonly segmentsOfSourceStmt: Database.Statement<[string], number>;
  private readonly keyframesByStmt: Database.Statement<[number, number], { id: number; thumbPath: string }>;
  private readonly forgetKeyframesStmt: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.insertClipStmt = db.prepare(
      `INSERT INTO clips (video_id, idx, start_sec, end_sec, indicator, frames_encoded, frames_repeat, thumb_path)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertMemoryStmt = db.prepare('INSERT INTO clip_memories (clip_id, tokens) VALUES (?, ?)');
    // One transaction per clip: after a crash a clip is there with all its tokens, or not at all.
    this.insertTx = db.transaction((c: NewClip) => {
      const id = Number(
        this.insertClipStmt.run(c.videoId, c.index, c.start, c.end, vectorToBlob(c.indicator), c.framesEncoded, c.framesRepeat, c.thumbPath)
          .lastInsertRowid,
      );
      this.insertMemoryStmt.run(id, tokensToBlob(c.tokens));
      return id;
    });
    this.hasStmt = db.prepare('SELECT count(*) FROM clips WHERE video_id = ? AND idx = ?').pluck() as typeof this.hasStmt;
    this.lastStmt = db.prepare(`SELECT ${REF} FROM clips WHERE video_id = ? ORDER BY idx DESC LIMIT 1`);
    this.ofVideoStmt = db.prepare(`SELECT ${REF} FROM clips WHERE video_id = ? ORDER BY idx`);
    this.overlappingStmt = db.prepare(`SELECT ${REF} FROM clips WHERE video_id = ? AND end_sec > ? AND start_sec < ? ORDER BY idx`);
    this.idsOfVideoStmt = db.prepare('SELECT id FROM clips WHERE video_id = ?').pluck() as typeof this.idsOfVideoStmt;
    this.countOfVideoStmt = db.prepare('SELECT count(*) FROM clips WHERE video_id = ?').pluck() as typeof this.countOfVideoStmt;
    this.countsStmt = db.prepare(
      'SELECT c.video_id AS videoId, count(*) AS clips, v.started_at AS startedAt FROM clips c JOIN videos v ON v.id = c.video_id GROUP BY c.video_id ORDER BY c.video_id',
    );
    const within = `FROM clips c JOIN videos v ON v.id = c.video_id
      WHERE v.started_at IS NOT NULL AND v.started_at + c.end_sec > ? AND v.started_at + c.start_sec < ? AND (? IS NULL OR c.video_id = ?)`;
    this.withinStmt = db.prepare(`SELECT c.id, c.indicator ${within}`).raw() as unknown as typeof this.withinStmt;
    this.idsWithinStmt = db.prepare(`SELECT c.id ${within}`).pluck() as typeof this.idsWithinStmt;
    this.indicatorsOfVideoStmt = db
      .prepare('SELECT id, indicator FROM clips WHERE video_id = ?')
      .raw() as unknown as typeof this.indicatorsOfVideoStmt;
    this.tokensStmt = db.prepare('SELECT tokens FROM clip_memories WHERE clip_id = ?').pluck() as typeof this.tokensStmt;
    // Raw rows: a question reads dozens of these, and arrays are cheaper to make than objects.
    this.memoriesStmt = db
      .prepare(
        `SELECT c.id, c.idx, c.start_sec, c.end_sec, c.video_id, v.path, v.started_at, c.thumb_path, c.indicator, m.tokens
         FROM clips c JOIN videos v ON v.id = c.video_id LEFT JOIN clip_memories m ON m.clip_id = c.id
         WHERE c.id IN (SELECT value FROM json_each(?))`,
      )
      .raw() as unknown as typeof this.memoriesStmt;
    // Counting all rows walks the small (video_id, idx) index instead of the table; the rows above
    // maxId are few, the ones an index saved before a crash lacks.
    this.countUpToStmt = db
      .prepare('SELECT (SELECT count(*) FROM clips) - (SELECT count(*) FROM clips WHERE id > ?)')
      .pluck() as typeof this.countUpToStmt;
    this.idsAfterStmt = db.prepare('SELECT id FROM clips WHERE id > ? ORDER BY id').pluck() as typeof this.idsAfterStmt;
    this.indexRowsStmt = db
      .prepare('SELECT id, video_id, idx, start_sec, end_sec, indicator FROM clips WHERE id BETWEEN ? AND ? ORDER BY id')
      .raw() as unknown as typeof this.indexRowsStmt;
    this.idsUpToStmt = db.prepare('SELECT id FROM clips WHERE id <= ?').pluck() as typeof this.idsUpToStmt;
    this.byAgeStmt = db.prepare('SELECT id, end_sec, thumb_path FROM clips WHERE video_id = ? ORDER BY idx').raw() as unknown as typeof this.byAgeStmt;
    this.removeMemoriesStmt = db.prepare('DELETE FROM clip_memories WHERE clip_id IN (SELECT value FROM json_each(?))');
    this.removeStmt = db.prepare('DELETE FROM clips WHERE id IN (SELECT value FROM json_each(?))');
    // Backwards along (video_id, idx): the latest clips are read first, and no more than asked for.
    this.recentOfVideoStmt = db.prepare('SELECT indicator FROM clips WHERE video_id = ? AND id < ? ORDER BY idx DESC LIMIT ?').pluck() as typeof this.recentOfVideoStmt;
    this.segmentsOfSourceStmt = db
      .prepare('SELECT v.id FROM videos v WHERE v.source_id = (SELECT id FROM sources WHERE name = ?) ORDER BY v.started_at DESC, v.id DESC')
      .pluck() as typeof this.segmentsOfSourceStmt;
    // A live clip is as old as its wall-clock end; a file's clips are as old as their video's ingest.
    this.keyframesByStmt = db.prepare(
      `SELECT c.id, c.thumb_path AS thumbPath FROM clips c JOIN videos v ON v.id = c.video_id
       WHERE c.thumb_path IS NOT NULL AND coalesce(v.started_at + c.end_sec, (julianday(v.created_at) - 2440587.5) * 86400) <= ? LIMIT ?`,
    );
    this.forgetKeyframesStmt = db.prepare('UPDATE clips SET thumb_path = NULL WHERE id IN (SELECT value FROM json_each(?))');
  }

  /** Writes the clip and its tokens in one transaction; returns the clip id. */
  insert(c: NewClip): number {
    return this.insertTx(c);
  }

  has(videoId: number, index: number): boolean {
    return this.hasStmt.get(videoId, index)! > 0;
  }

  last(videoId: number): ClipRef | undefined {
    return this.lastStmt.get(videoId);
  }

  ofVideo(videoId: number): ClipRef[] {
    return this.ofVideoStmt.all(videoId);
  }

  /** Clips of a video that share some time with start–end. */
  overlapping(videoId: number, start: number, end: number): ClipRef[] {
    return this.overlappingStmt.all(videoId, start, end);
  }

  idsOfVideo(videoId: number): Set<number> {
    return new Set(this.idsOfVideoStmt.all(videoId));
  }

  countOfVideo(videoId: number): number {
    return this.countOfVideoStmt.get(videoId)!;
  }

  /** Indicators of the live sources' clips that share some time with from–to (UTC seconds), of one video or all. */
  indicatorsWithin(from: number, to: number, videoId?: number): Array<{ id: number; vector: Float32Array }> {
    return this.withinStmt.all(from, to, videoId ?? null, videoId ?? null).map(([id, indicator]) => ({ id, vector: blobToVector(indicator) }));
  }

  /** Ids of the clips `indicatorsWithin` reads, without their indicators. */
  idsWithin(from: number, to: number, videoId?: number): Set<number> {
    return new Set(this.idsWithinStmt.all(from, to, videoId ?? null, videoId ?? null));
  }

  /** Clips per video, for the videos that have any. */
  counts(): Array<{ videoId: number; clips: number; startedAt: number | null }> {
    return this.countsStmt.all();
  }

  indicatorsOfVideo(videoId: number): Array<{ id: number; vector: Float32Array }> {
    return this.indicatorsOfVideoStmt.all(videoId).map(([id, indicator]) => ({ id, vector: blobToVector(indicator) }));
  }

  /** A clip's memory tokens, oldest memory first; none for a clip that is not stored. */
  tokens(clipId: number): MemoryToken[] {
    const blob = this.tokensStmt.get(clipId);
    return blob ? blobToTokens(blob) : [];
  }

  /** Many clips with their places, indicators and memory tokens in one query, keyed by clip id; ids no longer stored are absent. */
  memories(ids: readonly number[]): Map<number, ClipRow> {
    const found = new Map<number, ClipRow>();
    for (const [clipId, index, start, end, videoId, videoPath, startedAt, thumbPath, indicator, tokens] of this.memoriesStmt.all(JSON.stringify(ids))) {
      found.set(clipId, {
        clipId, videoId, index, start, end, videoPath, startedAt, thumbPath,
        indicator: blobToVector(indicator),
        tokens: tokens ? blobToTokens(tokens) : [],
      });
    }
    return found;
  }

  countUpTo(maxId: number): number {
    return this.countUpToStmt.get(maxId)!;
  }

  /** The ids of the clips after `afterId`, in order: what an index that has seen up to `afterId` may lack. */
  idsAfter(afterId: number): number[] {
    return this.idsAfterStmt.all(afterId);
  }

  /** The ids of the clips up to `maxId`: what an index that reaches that far may hold. */
  idsUpTo(maxId: number): Set<number> {
    return new Set(this.idsUpToStmt.all(maxId));
  }

  /**
   * A video's clips that end by `end` seconds into it, oldest first, at most `limit`: a clip's
   * times grow with its index, so the rows are read from the first only as far as they are old.
   */
  endingBy(videoId: number, end: number, limit: number): Array<{ id: number; thumbPath: string | null }> {
    const found: Array<{ id: number; thumbPath: string | null }> = [];
    for (const [id, endSec, thumbPath] of this.byAgeStmt.iterate(videoId)) {
      if (endSec > end || found.length === limit) break;
      found.push({ id, thumbPath });
    }
    return found;
  }

  /** Clips with a keyframe that are `time` (UTC seconds) or older: live ones by their end, a file's by its ingest; at most `limit`. */
  keyframesBy(time: number, limit: number): Array<{ id: number; thumbPath: string }> {
    return this.keyframesByStmt.all(time, limit);
  }

  /** The clips keep their memories, without a keyframe. */
  forgetKeyframes(ids: readonly number[]): void {
    this.forgetKeyframesStmt.run(JSON.stringify(ids));
  }

  /** Removes the clips and their memories; their texts are the caller's to remove first. */
  remove(ids: readonly number[]): void {
    const list = JSON.stringify(ids);
    this.removeMemoriesStmt.run(list);
    this.removeStmt.run(list);
  }

  /** What the index holds of each clip from `fromId` to `toId`, in id order, streamed so a rebuild of a large store stays small in memory. */
  *indexRows(fromId: number, toId: number): IterableIterator<{ id: number; indicator: Float32Array; position: ClipPosition }> {
    for (const [id, videoId, index, start, end, indicator] of this.indexRowsStmt.iterate(fromId, toId)) {
      yield { id, indicator: blobToVector(indicator), position: { videoId, index, start, end } };
    }
  }

  /** The indicators of the `limit` clips stored before `beforeClipId` in one video, or in a live source's segments; oldest first. */
  recentIndicators(scope: { readonly videoId: number } | { readonly source: string }, beforeClipId: number, limit: number): Float32Array[] {
    const blobs: Buffer[] = [];
    const videos = 'source' in scope ? this.segmentsOfSourceStmt.all(scope.source) : [scope.videoId];
    for (const videoId of videos) {
      blobs.push(...this.recentOfVideoStmt.all(videoId, beforeClipId, limit - blobs.length));
      if (blobs.length >= limit) break;
    }
    return blobs.reverse().map((blob) => blobToVector(blob));
  }
}
