/** The `alert_rules` and `alert_events` tables: standing questions and the events they raised. */
import type Database from 'better-sqlite3';
import type { AlertCondition, AlertEventRecord, AlertRule, NewAlertEvent, NewAlertRule } from '../../src/core/alerts.js';
import { blobToVector, vectorToBlob } from '../blobs.js';

interface RuleRow {
  id: number;
  name: string;
  kind: AlertCondition['kind'];
  text: string | null;
  sigma: number | null;
  object: string | null;
  minCount: number | null;
  minSeconds: number | null;
  zone: string | null;
  images: string | null;
  vector: Buffer | null;
  confirm: string | null;
  source: string | null;
  cooldownSec: number;
  createdAt: string;
}

const RULE = 'id, name, kind, text, sigma, object, min_count AS minCount, min_seconds AS minSeconds, zone, images, vector, confirm_object AS confirm, source, cooldown_sec AS cooldownSec, created_at AS createdAt';
const EVENT = `id, rule_id AS ruleId, rule_name AS ruleName, video_id AS videoId, source, path, start_sec AS start, end_sec AS "end",
  started_at AS startedAt, score, clip_id AS clipId, thumbnail, snapshot, snippet, raised_at AS raisedAt`;

function toRule(row: RuleRow): AlertRule {
  const condition: AlertCondition =
    row.kind === 'text'
      ? { kind: 'text', text: row.text!, sigma: row.sigma!, confirm: row.confirm }
      : row.kind === 'image'
        ? { kind: 'image', images: JSON.parse(row.images!) as string[], vector: blobToVector(row.vector!), sigma: row.sigma!, confirm: row.confirm }
        : { kind: 'object', object: row.object!, minCount: row.minCount!, minSeconds: row.minSeconds!, zone: row.zone };
  return { id: row.id, name: row.name, source: row.source, cooldownSec: row.cooldownSec, condition, createdAt: row.createdAt };
}

/** A follower that fell far behind catches up in steps of this many. */
const EVENTS_READ_AT_ONCE = 500;

export class AlertsRepository {
  private readonly insertRuleStmt: Database.Statement<[Record<string, unknown>], RuleRow>;
  private readonly ruleStmt: Database.Statement<[number], RuleRow>;
  private readonly ruleByNameStmt: Database.Statement<[string], RuleRow>;
  private readonly rulesStmt: Database.Statement<[], RuleRow>;
  private readonly removeRuleStmt: Database.Statement<[number]>;
  private readonly insertEventStmt: Database.Statement<[NewAlertEvent & { snapshot: string | null }], AlertEventRecord>;
  private readonly extendEventStmt: Database.Statement<[number, number]>;
  private readonly forgetKeyframesStmt: Database.Statement<[string]>;
  private readonly eventsStmt: Database.Statement<[{ rule: number | null; limit: number | null }], AlertEventRecord>;
  private readonly eventsAfterStmt: Database.Statement<[{ rule: number | null; after: number }], AlertEventRecord>;
  private readonly lastEventIdStmt: Database.Statement<[], { id: number }>;
  private readonly eventStmt: Database.Statement<[number], AlertEventRecord>;
  private readonly setSnippetStmt: Database.Statement<[string, number]>;
  private readonly lastOfStreamStmt: Database.Statement<[{ rule: number; source: string | null; video: number }], AlertEventRecord>;

  constructor(db: Database.Database) {
    this.insertRuleStmt = db.prepare(
      `INSERT INTO alert_rules (name, kind, text, sigma, object, min_count, min_seconds, zone, images, vector, confirm_object, source, cooldown_sec)
       VALUES (@name, @kind, @text, @sigma, @object, @minCount, @minSeconds, @zone, @images, @vector, @confirm, @source, @cooldownSec) RETURNING ${RULE}`,
    );
    this.ruleStmt = db.prepare(`SELECT ${RULE} FROM alert_rules WHERE id = ?`);
    this.ruleByNameStmt = db.prepare(`SELECT ${RULE} FROM alert_rules WHERE name = ?`);
    this.rulesStmt = db.prepare(`SELECT ${RULE} FROM alert_rules ORDER BY id`);
    this.removeRuleStmt = db.prepare('DELETE FROM alert_rules WHERE id = ?');
    this.insertEventStmt = db.prepare(
      `INSERT INTO alert_events (rule_id, rule_name, video_id, source, path, start_sec, end_sec, started_at, score, clip_id, thumbnail, snapshot)
       VALUES (@ruleId, @ruleName, @videoId, @source, @path, @start, @end, @startedAt, @score, @clipId, (SELECT thumb_path FROM clips WHERE id = @clipId), @snapshot) RETURNING ${EVENT}`,
    );
    this.extendEventStmt = db.prepare('UPDATE alert_events SET end_sec = max(end_sec, ?) WHERE id = ?');
    this.forgetKeyframesStmt = db.prepare('UPDATE alert_events SET thumbnail = NULL WHERE clip_id IN (SELECT value FROM json_each(?))');
    this.eventsStmt = db.prepare(`SELECT ${EVENT} FROM alert_events WHERE (@rule IS NULL OR rule_id = @rule) ORDER BY id DESC LIMIT coalesce(@limit, -1)`);
    this.eventsAfterStmt = db.prepare(`SELECT ${EVENT} FROM alert_events WHERE id > @after AND (@rule IS NULL OR rule_id = @rule) ORDER BY id LIMIT ${EVENTS_READ_AT_ONCE}`);
    this.lastEventIdStmt = db.prepare('SELECT coalesce(max(id), 0) AS id FROM alert_events');
    this.eventStmt = db.prepare(`SELECT ${EVENT} FROM alert_events WHERE id = ?`);
    this.setSnippetStmt = db.prepare('UPDATE alert_events SET snippet = ? WHERE id = ?');
    // A live source's events are its, whichever segment; a file's are its video's.
    this.lastOfStreamStmt = db.prepare(
      `SELECT ${EVENT} FROM alert_events WHERE rule_id = @rule AND (source = @source OR (@source IS NULL AND source IS NULL AND video_id = @video)) ORDER BY id DESC LIMIT 1`,
    );
  }

  insertRule(rule: NewAlertRule): AlertRule {
    const c = rule.condition;
    const none = { text: null, sigma: null, object: null, minCount: null, minSeconds: null, zone: null, images: null, vector: null, confirm: null };
    const fields =
      c.kind === 'text'
        ? { text: c.text, sigma: c.sigma, confirm: c.confirm }
        : c.kind === 'image'
          ? { images: JSON.stringify(c.images), vector: vectorToBlob(c.vector), sigma: c.sigma, confirm: c.confirm }
          : { object: c.object, minCount: c.minCount, minSeconds: c.minSeconds, zone: c.zone };
    return toRule(this.insertRuleStmt.get({ ...none, ...fields, name: rule.name, kind: c.kind, source: rule.source, cooldownSec: rule.cooldownSec })!);
  }

  rule(id: number): AlertRule | undefined {
    const row = this.ruleStmt.get(id);
    return row && toRule(row);
  }

  ruleByName(name: string): AlertRule | undefined {
    const row = this.ruleByNameStmt.get(name);
    return row && toRule(row);
  }

  rules(): AlertRule[] {
    return this.rulesStmt.all().map(toRule);
  }

  /** Whether there was such a rule; its events stay, with its name. */
  removeRule(id: number): boolean {
    return this.removeRuleStmt.run(id).changes > 0;
  }

  /** `snapshot`: the event's snapshot file, relative to the store. */
  insertEvent(e: NewAlertEvent, snapshot: string | null): AlertEventRecord {
    const { ruleId, ruleName, videoId, source, path, start, end, startedAt, score, clipId } = e;
    return this.insertEventStmt.get({ ruleId, ruleName, videoId, source, path, start, end, startedAt, score, clipId, snapshot })!;
  }

  /** The appearance goes on: the event ends later. */
  extendEvent(id: number, end: number): void {
    this.extendEventStmt.run(end, id);
  }

  /** The events of these clips keep everything but the keyframe, whose file is going. */
  forgetKeyframes(clipIds: readonly number[]): void {
    this.forgetKeyframesStmt.run(JSON.stringify(clipIds));
  }

  /** The latest events first: all of them, or one rule's; at most `limit`. */
  events(ruleId: number | null, limit: number | null): AlertEventRecord[] {
    return this.eventsStmt.all({ rule: ruleId, limit });
  }

  /** The events raised since event `afterId`, oldest first; a few hundred at a time. */
  eventsAfter(afterId: number, ruleId: number | null): AlertEventRecord[] {
    return this.eventsAfterStmt.all({ rule: ruleId, after: afterId });
  }

  /** The rule's latest event on a stream: a live source (by name), or a file (its video). */
  lastOfStream(ruleId: number, source: string | null, videoId: number): AlertEventRecord | undefined {
    return this.lastOfStreamStmt.get({ rule: ruleId, source, video: videoId });
  }

  event(id: number): AlertEventRecord | undefined {
    return this.eventStmt.get(id);
  }

  setSnippet(id: number, snippet: string): void {
    this.setSnippetStmt.run(snippet, id);
  }

  /** The newest event's id; 0 in a store that has none. */
  lastEventId(): number {
    return this.lastEventIdStmt.get()!.id;
  }
}
