/** The `clips` and `memory_tokens` tables: a clip and its memory are written and read together. */
import { endianness } from 'node:os';
import type Database from 'better-sqlite3';
import type { MemoryToken } from '../../src/types.js';

export interface NewClip {
  readonly videoId: number;
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly indicator: Float32Array;
  readonly tokens: readonly MemoryToken[];
  readonly framesEncoded: number;
  readonly framesRepeat: number;
  /** Relative to the store folder. */
  readonly thumbPath: string | null;
}

export interface ClipSpan {
  readonly id: number;
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** What a search hit needs to be shown: where the clip is and what it looks like. */
export interface ClipLocation extends ClipSpan {
  readonly videoId: number;
  readonly videoPath: string;
  readonly thumbPath: string | null;
}

interface TokenRow {
  vector: Buffer;
  start_sec: number;
  end_sec: number;
  weight: number;
}

/** Explicit little-endian, so a store file means the same on every machine. */
function toBlob(v: Float32Array): Buffer {
  const buf = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
  return buf;
}

/**
 * A question reads hundreds of vectors. On little-endian machines (nearly all) the bytes already
 * are the floats: better-sqlite3 gives each blob its own buffer, which is used as it is when
 * aligned and copied whole otherwise.
 */
const LITTLE_ENDIAN = endianness() === 'LE';

function fromBlob(buf: Buffer): Float32Array {
  if (LITTLE_ENDIAN && buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  if (LITTLE_ENDIAN) return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  const v = new Float32Array(buf.length / 4);
  for (let i = 0; i < v.length; i++) v[i] = buf.readFloatLE(i * 4);
  return v;
}

function toToken(row: TokenRow): MemoryToken {
  return { vector: fromBlob(row.vector), start: row.start_sec, end: row.end_sec, weight: row.weight };
}

const SPAN = 'id, idx AS "index", start_sec AS start, end_sec AS "end"';

export class ClipsRepository {
  private readonly insertClipStmt: Database.Statement<unknown[]>;
  private readonly insertTokenStmt: Database.Statement<unknown[]>;
  private readonly insertTx: (c: NewClip) => number;
  private readonly hasStmt: Database.Statement<[number, number], number>;
  private readonly lastStmt: Database.Statement<[number], ClipSpan>;
  private readonly ofVideoStmt: Database.Statement<[number], ClipSpan>;
  private readonly idsOfVideoStmt: Database.Statement<[number], number>;
  private readonly overlappingStmt: Database.Statement<[number, number, number], ClipSpan>;
  private readonly tokensStmt: Database.Statement<[number], TokenRow>;
  private readonly tokensOfStmt: Database.Statement<[string], [number, Buffer, number, number, number]>;
  private readonly indicatorStmt: Database.Statement<[number], Buffer>;
  private readonly countUpToStmt: Database.Statement<[number], number>;
  private readonly indicatorsAfterStmt: Database.Statement<[number], { id: number; indicator: Buffer }>;
  private readonly locateStmt: Database.Statement<[string], ClipLocation>;
  private readonly positionsStmt: Database.Statement<[string], [number, number, number, number, number]>;

  constructor(db: Database.Database) {
    this.insertClipStmt = db.prepare(
      `INSERT INTO clips (video_id, idx, start_sec, end_sec, indicator, frames_encoded, frames_repeat, thumb_path)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertTokenStmt = db.prepare(
      'INSERT INTO memory_tokens (clip_id, k, vector, start_sec, end_sec, weight) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // One transaction per clip: after a crash a clip is there with all its tokens, or not at all.
    this.insertTx = db.transaction((c: NewClip) => {
      const id = Number(
        this.insertClipStmt.run(c.videoId, c.index, c.start, c.end, toBlob(c.indicator), c.framesEncoded, c.framesRepeat, c.thumbPath)
          .lastInsertRowid,
      );
      c.tokens.forEach((t, k) => this.insertTokenStmt.run(id, k, toBlob(t.vector), t.start, t.end, t.weight));
      return id;
    });
    this.hasStmt = db.prepare('SELECT count(*) FROM clips WHERE video_id = ? AND idx = ?').pluck() as typeof this.hasStmt;
    this.lastStmt = db.prepare(`SELECT ${SPAN} FROM clips WHERE video_id = ? ORDER BY idx DESC LIMIT 1`);
    this.ofVideoStmt = db.prepare(`SELECT ${SPAN} FROM clips WHERE video_id = ? ORDER BY idx`);
    this.overlappingStmt = db.prepare(`SELECT ${SPAN} FROM clips WHERE video_id = ? AND end_sec > ? AND start_sec < ? ORDER BY idx`);
    this.idsOfVideoStmt = db.prepare('SELECT id FROM clips WHERE video_id = ?').pluck() as typeof this.idsOfVideoStmt;
    this.tokensStmt = db.prepare('SELECT vector, start_sec, end_sec, weight FROM memory_tokens WHERE clip_id = ? ORDER BY k');
    this.tokensOfStmt = db
      .prepare(
        `SELECT clip_id, vector, start_sec, end_sec, weight FROM memory_tokens
         WHERE clip_id IN (SELECT value FROM json_each(?)) ORDER BY clip_id, k`,
      )
      .raw() as unknown as typeof this.tokensOfStmt;
    this.indicatorStmt = db.prepare('SELECT indicator FROM clips WHERE id = ?').pluck() as typeof this.indicatorStmt;
    this.countUpToStmt = db.prepare('SELECT count(*) FROM clips WHERE id <= ?').pluck() as typeof this.countUpToStmt;
    this.indicatorsAfterStmt = db.prepare('SELECT id, indicator FROM clips WHERE id > ? ORDER BY id');
    // Raw rows: a question asks for hundreds of these, and arrays are cheaper to make than objects.
    this.positionsStmt = db
      .prepare('SELECT id, video_id, idx, start_sec, end_sec FROM clips WHERE id IN (SELECT value FROM json_each(?))')
      .raw() as unknown as typeof this.positionsStmt;
    this.locateStmt = db.prepare(
      `SELECT c.id, c.idx AS "index", c.start_sec AS start, c.end_sec AS "end",
              c.video_id AS videoId, v.path AS videoPath, c.thumb_path AS thumbPath
       FROM clips c JOIN videos v ON v.id = c.video_id
       WHERE c.id IN (SELECT value FROM json_each(?))`,
    );
  }

  /** Writes the clip and its tokens in one transaction; returns the clip id. */
  insert(c: NewClip): number {
    return this.insertTx(c);
  }

  has(videoId: number, index: number): boolean {
    return this.hasStmt.get(videoId, index)! > 0;
  }

  last(videoId: number): ClipSpan | undefined {
    return this.lastStmt.get(videoId);
  }

  ofVideo(videoId: number): ClipSpan[] {
    return this.ofVideoStmt.all(videoId);
  }

  /** Clips of a video that share some time with start–end. */
  overlapping(videoId: number, start: number, end: number): ClipSpan[] {
    return this.overlappingStmt.all(videoId, start, end);
  }

  idsOfVideo(videoId: number): Set<number> {
    return new Set(this.idsOfVideoStmt.all(videoId));
  }

  tokens(clipId: number): MemoryToken[] {
    return this.tokensStmt.all(clipId).map(toToken);
  }

  /** The tokens of many clips in one query, keyed by clip id; clips without tokens are absent. */
  tokensOf(ids: readonly number[]): Map<number, MemoryToken[]> {
    const byClip = new Map<number, MemoryToken[]>();
    for (const [clipId, vector, start, end, weight] of this.tokensOfStmt.all(JSON.stringify(ids))) {
      const tokens = byClip.get(clipId) ?? [];
      tokens.push({ vector: fromBlob(vector), start, end, weight });
      byClip.set(clipId, tokens);
    }
    return byClip;
  }

  indicator(clipId: number): Float32Array | undefined {
    const blob = this.indicatorStmt.get(clipId);
    return blob && fromBlob(blob);
  }

  countUpTo(maxId: number): number {
    return this.countUpToStmt.get(maxId)!;
  }

  /** Indicators in id order, streamed so a rebuild of a large store stays small in memory. */
  *indicatorsAfter(afterId: number): IterableIterator<{ id: number; indicator: Float32Array }> {
    for (const row of this.indicatorsAfterStmt.iterate(afterId)) yield { id: row.id, indicator: fromBlob(row.indicator) };
  }

  /** Video, position and time of the given clips, keyed by id; ids no longer stored are absent. */
  positions(ids: readonly number[]): Map<number, { videoId: number; index: number; start: number; end: number }> {
    return new Map(
      this.positionsStmt.all(JSON.stringify(ids)).map(([id, videoId, index, start, end]) => [id, { videoId, index, start, end }]),
    );
  }

  /** Locations of the given clips, keyed by id; ids no longer stored are absent. */
  locate(ids: readonly number[]): Map<number, ClipLocation> {
    return new Map(this.locateStmt.all(JSON.stringify(ids)).map((row) => [row.id, row]));
  }
}
