/** The `videos` table: one row per ingested source, keyed by its content hash. */
import type Database from 'better-sqlite3';

export type VideoStatus = 'ingesting' | 'complete' | 'incomplete';

export interface NewVideo {
  readonly path: string;
  readonly contentHash: string;
  /** Bytes of the file the hash covers (see migration 006). */
  readonly sizeBytes?: number;
  readonly durationSec: number;
  /** Frame rate of the source, not the sampling rate (that is in settings). */
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly settings: Record<string, unknown>;
}

/** A stored video: what was registered, plus where its ingest stands. */
export interface VideoRecord extends NewVideo {
  readonly id: number;
  readonly status: VideoStatus;
  readonly stats: Record<string, unknown> | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface VideoSummary {
  readonly id: number;
  readonly path: string;
  readonly durationSec: number;
  readonly clips: number;
  readonly status: VideoStatus;
  readonly createdAt: string;
  /** For a live source's segment: UTC seconds of its first frame, and the source's name; null for a file. */
  readonly startedAt: number | null;
  readonly source: string | null;
}

interface VideoRow {
  id: number;
  path: string;
  content_hash: string;
  size_bytes: number | null;
  duration_sec: number;
  fps: number;
  width: number;
  height: number;
  status: VideoStatus;
  settings_json: string;
  stats_json: string | null;
  created_at: string;
  updated_at: string;
}

function toRecord(row: VideoRow): VideoRecord {
  return {
    id: row.id,
    path: row.path,
    contentHash: row.content_hash,
    ...(row.size_bytes === null ? {} : { sizeBytes: row.size_bytes }),
    durationSec: row.duration_sec,
    fps: row.fps,
    width: row.width,
    height: row.height,
    status: row.status,
    settings: JSON.parse(row.settings_json) as Record<string, unknown>,
    stats: row.stats_json === null ? null : (JSON.parse(row.stats_json) as Record<string, unknown>),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class VideosRepository {
  private readonly byIdStmt: Database.Statement<[number], VideoRow>;
  private readonly byHashStmt: Database.Statement<[string], VideoRow>;
  private readonly insertStmt: Database.Statement<[string, string, number | null, number, number, number, number, string], VideoRow>;
  private readonly growStmt: Database.Statement<[string, string, number, number, number, string]>;
  private readonly sizesStmt: Database.Statement<[number], { size: number }>;
  private readonly byPrefixStmt: Database.Statement<[string, number], VideoRow>;
  private readonly finishStmt: Database.Statement<[string, string, number]>;
  private readonly listStmt: Database.Statement<[], VideoSummary>;
  private readonly summaryStmt: Database.Statement<[number], VideoSummary>;
  private readonly countStmt: Database.Statement<[], number>;
  private readonly removeStmt: Database.Statement<[number]>;
  private readonly sourceNameStmt: Database.Statement<[number], string>;

  constructor(db: Database.Database) {
    this.byIdStmt = db.prepare('SELECT * FROM videos WHERE id = ?');
    this.byHashStmt = db.prepare('SELECT * FROM videos WHERE content_hash = ?');
    this.insertStmt = db.prepare(
      `INSERT INTO videos (path, content_hash, size_bytes, duration_sec, fps, width, height, status, settings_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'ingesting', ?) ON CONFLICT (content_hash) DO NOTHING RETURNING *`,
    );
    // Compare-and-set on the old hash: of two processes continuing one video, one wins.
    this.growStmt = db.prepare(
      `UPDATE videos SET path = ?, content_hash = ?, size_bytes = ?, duration_sec = ?, status = 'ingesting',
              updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       WHERE id = ? AND content_hash = ?`,
    );
    this.sizesStmt = db.prepare('SELECT DISTINCT size_bytes AS size FROM videos WHERE size_bytes < ?');
    this.byPrefixStmt = db.prepare('SELECT * FROM videos WHERE content_hash = ? AND size_bytes = ?');
    this.finishStmt = db.prepare(
      `UPDATE videos SET status = ?, stats_json = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`,
    );
    const summary = `SELECT v.id, v.path, v.duration_sec AS durationSec,
              (SELECT count(*) FROM clips c WHERE c.video_id = v.id) AS clips,
              v.status, v.created_at AS createdAt, v.started_at AS startedAt,
              (SELECT s.name FROM sources s WHERE s.id = v.source_id) AS source
       FROM videos v`;
    this.listStmt = db.prepare(`${summary} ORDER BY v.id`);
    this.summaryStmt = db.prepare(`${summary} WHERE v.id = ?`);
    this.countStmt = db.prepare('SELECT count(*) FROM videos').pluck() as typeof this.countStmt;
    // Its chat sessions, their turns' evidence and its text reads go with it (ON DELETE CASCADE).
    this.removeStmt = db.prepare('DELETE FROM videos WHERE id = ?');
    this.sourceNameStmt = db.prepare('SELECT s.name FROM videos v JOIN sources s ON s.id = v.source_id WHERE v.id = ?').pluck() as typeof this.sourceNameStmt;
  }

  /** The live source a video is a segment of; null for a file (or no such video). */
  sourceName(id: number): string | null {
    return this.sourceNameStmt.get(id) ?? null;
  }

  byId(id: number): VideoRecord | undefined {
    const row = this.byIdStmt.get(id);
    return row && toRecord(row);
  }

  byHash(hash: string): VideoRecord | undefined {
    const row = this.byHashStmt.get(hash);
    return row && toRecord(row);
  }

  /** Undefined when a video of the same content is stored already (another process may just have stored it). */
  insert(v: NewVideo): VideoRecord | undefined {
    const row = this.insertStmt.get(v.path, v.contentHash, v.sizeBytes ?? null, v.durationSec, v.fps, v.width, v.height, JSON.stringify(v.settings));
    return row && toRecord(row);
  }

  /** Lengths of the stored videos' files shorter than `size`: where a grown file's prefix may match one. */
  sizesBelow(size: number): number[] {
    return this.sizesStmt.all(size).map((r) => r.size);
  }

  /** The video whose file was the first `sizeBytes` bytes hashing `hash`. */
  byPrefix(hash: string, sizeBytes: number): VideoRecord | undefined {
    const row = this.byPrefixStmt.get(hash, sizeBytes);
    return row && toRecord(row);
  }

  /** The video's file has grown: it is now `grown`, ingesting again. False when another process got there first. */
  grow(id: number, fromHash: string, grown: { readonly path: string; readonly contentHash: string; readonly sizeBytes: number; readonly durationSec: number }): boolean {
    return this.growStmt.run(grown.path, grown.contentHash, grown.sizeBytes, grown.durationSec, id, fromHash).changes === 1;
  }

  /** Returns false when no such video exists. */
  finish(id: number, status: VideoStatus, stats: Record<string, unknown>): boolean {
    return this.finishStmt.run(status, JSON.stringify(stats), id).changes === 1;
  }

  /** One video as `list` gives it. */
  summary(id: number): VideoSummary | undefined {
    return this.summaryStmt.get(id);
  }

  count(): number {
    return this.countStmt.get()!;
  }

  list(): VideoSummary[] {
    return this.listStmt.all();
  }

  /** Removes the row of a video whose clips are gone already; false when there was none. */
  remove(id: number): boolean {
    return this.removeStmt.run(id).changes === 1;
  }
}
