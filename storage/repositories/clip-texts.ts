/** The `clip_text` table, its two full-text indexes (words and trigrams), and how far each video's channels have been read. */
import type Database from 'better-sqlite3';
import type { ClipText, TextBox, TextChannel } from '../../src/core/clip-text.js';

/** A text row that matched, with where its clip is and how well it matched in each index. */
export interface TextRow {
  readonly id: number;
  readonly clipId: number;
  readonly videoId: number;
  readonly index: number;
  readonly clipStart: number;
  readonly clipEnd: number;
  readonly text: ClipText;
  /** bm25 in the index it was found by (negative: the lower, the better). */
  readonly rank: number;
}

type RawRow = [number, number, number, number, number, number, TextChannel, number, number, string, number | null, string | null, number];
type TextOfClip = [number, TextChannel, number, number, string, number | null, string | null];

function clipText(channel: TextChannel, start: number, end: number, text: string, confidence: number | null, box: string | null): ClipText {
  return { channel, text, start, end, ...(confidence === null ? {} : { confidence }), ...(box === null ? {} : { box: JSON.parse(box) as TextBox }) };
}

/** `"a" OR "b"`: each term quoted, so that nothing in it is FTS5 syntax. */
function matchExpression(terms: readonly string[]): string {
  return terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' OR ');
}

export class ClipTextsRepository {
  private readonly insertStmt: Database.Statement<[number, TextChannel, number, number, string, number | null, string | null]>;
  private readonly ofClipsStmt: Database.Statement<[string], TextOfClip>;
  private readonly readUntilStmt: Database.Statement<[number], [TextChannel, number]>;
  private readonly markReadStmt: Database.Statement<[number, TextChannel, number]>;
  private readonly removeStmt: Database.Statement<[string]>;
  private readonly search: Record<'words' | 'grams', { all: Database.Statement<[string, number], RawRow>; video: Database.Statement<[string, number, number], RawRow> }>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare('INSERT INTO clip_text (clip_id, channel, start_sec, end_sec, text, confidence, box_json) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.ofClipsStmt = db
      .prepare(
        `SELECT clip_id, channel, start_sec, end_sec, text, confidence, box_json FROM clip_text
         WHERE clip_id IN (SELECT value FROM json_each(?)) ORDER BY clip_id, start_sec, id`,
      )
      .raw() as unknown as typeof this.ofClipsStmt;
    this.readUntilStmt = db.prepare('SELECT channel, read_until FROM text_reads WHERE video_id = ?').raw() as unknown as typeof this.readUntilStmt;
    this.markReadStmt = db.prepare(
      `INSERT INTO text_reads (video_id, channel, read_until) VALUES (?, ?, ?)
       ON CONFLICT (video_id, channel) DO UPDATE SET read_until = max(read_until, excluded.read_until)`,
    );
    // Row by row, so that the trigger takes each out of both full-text indexes.
    this.removeStmt = db.prepare('DELETE FROM clip_text WHERE clip_id IN (SELECT value FROM json_each(?))');
    const query = (table: string, oneVideo: boolean) =>
      db
        .prepare(
          `SELECT t.id, t.clip_id, c.video_id, c.idx, c.start_sec, c.end_sec, t.channel, t.start_sec, t.end_sec, t.text, t.confidence, t.box_json, bm25(${table})
           FROM ${table} f JOIN clip_text t ON t.id = f.rowid JOIN clips c ON c.id = t.clip_id
           WHERE ${table} MATCH ?${oneVideo ? ' AND c.video_id = ?' : ''} ORDER BY bm25(${table}) LIMIT ?`,
        )
        .raw();
    this.search = {
      words: { all: query('clip_text_words', false) as unknown as Database.Statement<[string, number], RawRow>, video: query('clip_text_words', true) as unknown as Database.Statement<[string, number, number], RawRow> },
      grams: { all: query('clip_text_grams', false) as unknown as Database.Statement<[string, number], RawRow>, video: query('clip_text_grams', true) as unknown as Database.Statement<[string, number, number], RawRow> },
    };
  }

  insert(clipId: number, texts: readonly ClipText[]): void {
    for (const t of texts) {
      this.insertStmt.run(clipId, t.channel, t.start, t.end, t.text, t.confidence ?? null, t.box ? JSON.stringify(t.box) : null);
    }
  }

  /** Removes the clips' texts, from the full-text indexes too. */
  removeOfClips(clipIds: readonly number[]): void {
    this.removeStmt.run(JSON.stringify(clipIds));
  }

  /** Seconds of the video read so far, by channel; a channel never read is absent. */
  readUntil(videoId: number): Map<TextChannel, number> {
    return new Map(this.readUntilStmt.all(videoId));
  }

  markRead(videoId: number, channel: TextChannel, until: number): void {
    this.markReadStmt.run(videoId, channel, until);
  }

  /** The rows matching any of `terms` in one index, best first. */
  matching(index: 'words' | 'grams', terms: readonly string[], limit: number, videoId?: number): TextRow[] {
    if (terms.length === 0) return [];
    const expression = matchExpression(terms);
    const rows = videoId === undefined ? this.search[index].all.all(expression, limit) : this.search[index].video.all(expression, videoId, limit);
    return rows.map(([id, clipId, rowVideo, clipIndex, clipStart, clipEnd, channel, start, end, text, confidence, box, rank]) => ({
      id, clipId, videoId: rowVideo, index: clipIndex, clipStart, clipEnd, text: clipText(channel, start, end, text, confidence, box), rank,
    }));
  }

  ofClips(clipIds: readonly number[]): Map<number, ClipText[]> {
    const found = new Map<number, ClipText[]>();
    for (const [clipId, channel, start, end, text, confidence, box] of this.ofClipsStmt.all(JSON.stringify(clipIds))) {
      const list = found.get(clipId) ?? [];
      list.push(clipText(channel, start, end, text, confidence, box));
      found.set(clipId, list);
    }
    return found;
  }
}
