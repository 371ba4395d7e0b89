/** The `chat_sessions`, `chat_turns` and `chat_evidence` tables: conversations and what they cited. */
import type Database from 'better-sqlite3';
import type { CitedMoment } from '../../src/core/moments.js';

export interface ChatSessionRecord {
  readonly id: number;
  /** The video the session asks about; null for every video in the store. */
  readonly videoId: number | null;
  readonly turns: number;
  /** What the session began with; null before its first turn. */
  readonly firstQuestion: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewChatTurn {
  readonly question: string;
  /** The text memories were selected with. */
  readonly query: string;
  readonly answer: string;
  readonly decoder: string;
  readonly evidence: readonly CitedMoment[];
}

export interface ChatTurnRecord extends NewChatTurn {
  readonly id: number;
  readonly sessionId: number;
  readonly evidence: CitedMoment[];
  readonly createdAt: string;
}

type TurnRow = Omit<ChatTurnRecord, 'evidence'>;

const SESSION = `s.id, s.video_id AS videoId, s.created_at AS createdAt, s.updated_at AS updatedAt,
  (SELECT count(*) FROM chat_turns t WHERE t.session_id = s.id) AS turns,
  (SELECT question FROM chat_turns t WHERE t.session_id = s.id ORDER BY t.id LIMIT 1) AS firstQuestion`;

export class ChatRepository {
  private readonly insertSessionStmt: Database.Statement<[number | null], { id: number }>;
  private readonly sessionStmt: Database.Statement<[number], ChatSessionRecord>;
  private readonly sessionsStmt: Database.Statement<[], ChatSessionRecord>;
  private readonly insertTurnStmt: Database.Statement<[number, string, string, string, string], TurnRow>;
  private readonly insertEvidenceStmt: Database.Statement<[number, number, number, number, number, number]>;
  private readonly touchStmt: Database.Statement<[number]>;
  private readonly lastTurnsStmt: Database.Statement<[number, number], TurnRow>;
  private readonly evidenceStmt: Database.Statement<[string], CitedMoment & { turnId: number }>;
  private readonly addTurnTx: (sessionId: number, turn: NewChatTurn) => ChatTurnRecord;
  private readonly addFirstTurnTx: (videoId: number | null, turn: NewChatTurn) => ChatTurnRecord;

  constructor(db: Database.Database) {
    this.insertSessionStmt = db.prepare<[number | null], { id: number }>('INSERT INTO chat_sessions (video_id) VALUES (?) RETURNING id');
    this.sessionStmt = db.prepare(`SELECT ${SESSION} FROM chat_sessions s WHERE s.id = ?`);
    this.sessionsStmt = db.prepare(`SELECT ${SESSION} FROM chat_sessions s ORDER BY s.updated_at DESC, s.id DESC`);
    const turnColumns = 'id, session_id AS sessionId, question, query, answer, decoder, created_at AS createdAt';
    this.insertTurnStmt = db.prepare(
      `INSERT INTO chat_turns (session_id, question, query, answer, decoder) VALUES (?, ?, ?, ?, ?) RETURNING ${turnColumns}`,
    );
    this.insertEvidenceStmt = db.prepare(
      'INSERT INTO chat_evidence (turn_id, k, video_id, start_sec, end_sec, score) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.touchStmt = db.prepare(`UPDATE chat_sessions SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`);
    this.lastTurnsStmt = db.prepare(
      `SELECT * FROM (SELECT ${turnColumns} FROM chat_turns WHERE session_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`,
    );
    this.evidenceStmt = db.prepare(
      `SELECT turn_id AS turnId, video_id AS videoId, start_sec AS start, end_sec AS "end", score
       FROM chat_evidence WHERE turn_id IN (SELECT value FROM json_each(?)) ORDER BY turn_id, k`,
    );
    // The turn, its evidence and the session's time move together, or not at all.
    this.addTurnTx = db.transaction((sessionId: number, turn: NewChatTurn) => {
      const row = this.insertTurnStmt.get(sessionId, turn.question, turn.query, turn.answer, turn.decoder)!;
      turn.evidence.forEach((e, k) => this.insertEvidenceStmt.run(row.id, k, e.videoId, e.start, e.end, e.score));
      this.touchStmt.run(sessionId);
      return { ...row, evidence: turn.evidence.map(({ videoId, start, end, score }) => ({ videoId, start, end, score })) };
    });
    // A session exists from its first turn on: a chat left without a question leaves nothing.
    this.addFirstTurnTx = db.transaction((videoId: number | null, turn: NewChatTurn) => this.addTurnTx(this.insertSessionStmt.get(videoId)!.id, turn));
  }

  session(id: number): ChatSessionRecord | undefined {
    return this.sessionStmt.get(id);
  }

  /** Every session, the most recently used first. */
  sessions(): ChatSessionRecord[] {
    return this.sessionsStmt.all();
  }

  addTurn(sessionId: number, turn: NewChatTurn): ChatTurnRecord {
    return this.addTurnTx(sessionId, turn);
  }

  /** A new session with its first turn, in one transaction. */
  addFirstTurn(videoId: number | null, turn: NewChatTurn): ChatTurnRecord {
    return this.addFirstTurnTx(videoId, turn);
  }

  /** The session's latest `limit` turns with their evidence, oldest first. */
  lastTurns(sessionId: number, limit: number): ChatTurnRecord[] {
    const rows = this.lastTurnsStmt.all(sessionId, limit);
    const evidence = new Map<number, CitedMoment[]>(rows.map((r) => [r.id, []]));
    for (const { turnId, ...moment } of this.evidenceStmt.all(JSON.stringify(rows.map((r) => r.id)))) evidence.get(turnId)!.push(moment);
    return rows.map((r) => ({ ...r, evidence: evidence.get(r.id)! }));
  }
}
