/** The `sources` and `source_gaps` tables, and the columns of `videos` that tie a segment to its source. */
import type Database from 'better-sqlite3';

export interface SourceRecord {
  readonly id: number;
  readonly name: string;
  readonly url: string;
}

export interface SourceGap {
  readonly start: number;
  /** Null while the source is still away. */
  readonly end: number | null;
  readonly reason: string;
}

export interface SourceSummary extends SourceRecord {
  readonly segments: number;
  readonly clips: number;
  /** UTC seconds of the first clip's start and the last clip's end; null before the first clip. */
  readonly from: number | null;
  readonly until: number | null;
}

export class SourcesRepository {
  private readonly upsertStmt: Database.Statement<[string, string], SourceRecord>;
  private readonly byNameStmt: Database.Statement<[string], SourceRecord>;
  private readonly tieStmt: Database.Statement<[number, number, number]>;
  private readonly openGapStmt: Database.Statement<[number, number, string], { id: number }>;
  private readonly closeGapStmt: Database.Statement<[number, number]>;
  private readonly gapsStmt: Database.Statement<[number], SourceGap>;
  private readonly lastSegmentStmt: Database.Statement<[number], { id: number; startedAt: number }>;
  private readonly listStmt: Database.Statement<[], SourceSummary>;
  private readonly durationStmt: Database.Statement<[number, number]>;
  private readonly moveStartStmt: Database.Statement<[number, number]>;
  private readonly endGapStmt: Database.Statement<[number, number]>;
  private readonly segmentsBeforeStmt: Database.Statement<[number, number], { id: number; startedAt: number }>;
  private readonly emptySegmentsStmt: Database.Statement<[number, number], number>;
  private readonly removeGapsStmt: Database.Statement<[number, number]>;
  private readonly removeStmt: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.upsertStmt = db.prepare('INSERT INTO sources (name, url) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET url = excluded.url RETURNING id, name, url');
    this.byNameStmt = db.prepare('SELECT id, name, url FROM sources WHERE name = ?');
    this.tieStmt = db.prepare('UPDATE videos SET source_id = ?, started_at = ? WHERE id = ?');
    this.openGapStmt = db.prepare('INSERT INTO source_gaps (source_id, start_at, reason) VALUES (?, ?, ?) RETURNING id');
    this.closeGapStmt = db.prepare('UPDATE source_gaps SET end_at = max(start_at, ?) WHERE id = ? AND end_at IS NULL');
    this.gapsStmt = db.prepare('SELECT start_at AS start, end_at AS "end", reason FROM source_gaps WHERE source_id = ? ORDER BY start_at, id');
    this.lastSegmentStmt = db.prepare('SELECT id, started_at AS startedAt FROM videos WHERE source_id = ? ORDER BY started_at DESC, id DESC LIMIT 1');
    this.moveStartStmt = db.prepare('UPDATE videos SET started_at = ? WHERE id = ? AND source_id IS NOT NULL');
    this.endGapStmt = db.prepare('UPDATE source_gaps SET end_at = max(start_at, ?) WHERE id = ?');
    this.durationStmt = db.prepare('UPDATE videos SET duration_sec = ? WHERE id = ? AND source_id IS NOT NULL');
    this.segmentsBeforeStmt = db.prepare('SELECT id, started_at AS startedAt FROM videos WHERE source_id = ? AND started_at < ? ORDER BY started_at');
    this.emptySegmentsStmt = db
      .prepare('SELECT v.id FROM videos v WHERE v.source_id = ? AND v.started_at + v.duration_sec <= ? AND NOT EXISTS (SELECT 1 FROM clips c WHERE c.video_id = v.id)')
      .pluck() as typeof this.emptySegmentsStmt;
    this.removeGapsStmt = db.prepare('DELETE FROM source_gaps WHERE source_id = ? AND end_at <= ?');
    // Its gaps go with it (ON DELETE CASCADE); its segments must have gone before.
    this.removeStmt = db.prepare('DELETE FROM sources WHERE id = ?');
    this.listStmt = db.prepare(
      `SELECT s.id, s.name, s.url,
              (SELECT count(*) FROM videos v WHERE v.source_id = s.id) AS segments,
              (SELECT count(*) FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.source_id = s.id) AS clips,
              (SELECT min(v.started_at + c.start_sec) FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.source_id = s.id) AS "from",
              (SELECT max(v.started_at + c.end_sec) FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.source_id = s.id) AS "until"
         FROM sources s ORDER BY s.id`,
    );
  }

  /** The source of this name, made or given the URL it is now watched at. */
  upsert(name: string, url: string): SourceRecord {
    return this.upsertStmt.get(name, url)!;
  }

  byName(name: string): SourceRecord | undefined {
    return this.byNameStmt.get(name);
  }

  tieSegment(videoId: number, sourceId: number, startedAt: number): void {
    this.tieStmt.run(sourceId, startedAt, videoId);
  }

  /** A segment lasts as long as its clips reach; it grows while the source is watched. */
  setDuration(videoId: number, seconds: number): void {
    this.durationStmt.run(seconds, videoId);
  }

  moveStart(videoId: number, startedAt: number): void {
    this.moveStartStmt.run(startedAt, videoId);
  }

  endGapAt(gapId: number, end: number): void {
    this.endGapStmt.run(end, gapId);
  }

  openGap(sourceId: number, start: number, reason: string): number {
    return this.openGapStmt.get(sourceId, start, reason)!.id;
  }

  closeGap(gapId: number, end: number): void {
    this.closeGapStmt.run(end, gapId);
  }

  gaps(sourceId: number): SourceGap[] {
    return this.gapsStmt.all(sourceId);
  }

  lastSegment(sourceId: number): { id: number; startedAt: number } | undefined {
    return this.lastSegmentStmt.get(sourceId);
  }

  /** The source's segments that began before `time`, oldest first. */
  segmentsBefore(sourceId: number, time: number): Array<{ id: number; startedAt: number }> {
    return this.segmentsBeforeStmt.all(sourceId, time);
  }

  /** Segments with no clip left that ended by `time` (one being watched reaches to now). */
  emptySegmentsBy(sourceId: number, time: number): number[] {
    return this.emptySegmentsStmt.all(sourceId, time);
  }

  /** Removes the gaps that ended by `time`: the timeline before it is gone. */
  removeGapsBy(sourceId: number, time: number): void {
    this.removeGapsStmt.run(sourceId, time);
  }

  /** Whether there was such a source; its segments must have been removed. */
  remove(sourceId: number): boolean {
    return this.removeStmt.run(sourceId).changes > 0;
  }

  list(): SourceSummary[] {
    return this.listStmt.all();
  }
}
