/**
 * The store's alert rules and events: the log outlives the rule, an event only grows and keeps
 * its snapshot, a read-only store refuses; and the detections of clips, kept with them and gone
 * with them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ClipDetection } from '../src/core/detections.js';
import { MemoryStore, type NewClipInput } from '../storage/memory-store.js';
import { tempDir } from './helpers/cli.js';

describe('alert rules and events in the store', () => {
  it('keeps an image rule with its vector, and upgrades a store of schema 11 keeping its rules, their events and the ids given', () => {
    const dir = join(tempDir('vidmem-alert-log-'), 'store');
    const store = MemoryStore.open(dir);
    const vector = Float32Array.from([0.6, 0.8, 0]);
    const like = store.alerts.addRule({ name: 'like door.jpg', source: null, cooldownSec: 30, condition: { kind: 'image', images: ['door.jpg'], vector, sigma: 3, confirm: null } });
    expect(store.alerts.rule(like.id)!.condition).toEqual({ kind: 'image', images: ['door.jpg'], vector, sigma: 3, confirm: null });
    store.close();

    // The alert tables as schema 11 made them, with a rule that raised an event and one removed (id 2 given once).
    const db = new Database(join(dir, 'vidmem.db'));
    db.pragma('foreign_keys = OFF');
    db.exec(`DROP TABLE alert_rules;
      CREATE TABLE alert_rules (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL CHECK (kind IN ('text', 'object')), text TEXT, sigma REAL,
        object TEXT, min_count INTEGER, min_seconds REAL, source TEXT, cooldown_sec REAL NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        CHECK ((kind = 'text' AND text IS NOT NULL AND sigma > 0) OR (kind = 'object' AND object IS NOT NULL AND min_count >= 1 AND min_seconds >= 0)));
      ALTER TABLE alert_rules ADD COLUMN zone TEXT;
      ALTER TABLE alert_events DROP COLUMN snippet;
      INSERT INTO alert_rules (id, name, kind, text, sigma, cooldown_sec) VALUES (1, 'red', 'text', 'red', 4, 30), (2, 'gone', 'text', 'blue', 4, 30);
      DELETE FROM alert_rules WHERE id = 2;
      INSERT INTO alert_events (rule_id, rule_name, video_id, path, start_sec, end_sec, score, clip_id) VALUES (1, 'red', 1, 'a.mp4', 4, 8, 6, 1);
      PRAGMA user_version = 11;`);
    db.close();

    const upgraded = MemoryStore.open(dir);
    try {
      expect(upgraded.alerts.rules().map((r) => [r.id, r.name, r.condition.kind])).toEqual([[1, 'red', 'text']]);
      expect(upgraded.alerts.events({ ruleId: 1 }).map((e) => [e.ruleId, e.ruleName])).toEqual([[1, 'red']]);
      const next = upgraded.alerts.addRule({ name: 'like door.jpg', source: null, cooldownSec: 30, condition: { kind: 'image', images: ['door.jpg'], vector, sigma: 3, confirm: null } });
      expect(next.id).toBe(3);
    } finally {
      upgraded.close();
    }
  });


  it('keeps rules and events, extends an event, keeps its rule name when the rule goes, and refuses writes when read-only', () => {
    const dir = join(tempDir('vidmem-alert-log-'), 'store');
    const store = MemoryStore.open(dir);
    try {
      const red = store.alerts.addRule({ name: 'red', source: 'door', cooldownSec: 30, condition: { kind: 'text', text: 'red', sigma: 4, confirm: null } });
      const crowd = store.alerts.addRule({ name: 'crowd', source: null, cooldownSec: 0, condition: { kind: 'object', object: 'person', minCount: 3, minSeconds: 5, zone: 'lawn' } });
      expect(store.alerts.rules()).toEqual([red, crowd]);
      expect(crowd).toMatchObject({ id: 2, condition: { kind: 'object', object: 'person', minCount: 3, minSeconds: 5, zone: 'lawn' } });
      expect(() => store.alerts.addRule({ name: 'red', source: null, cooldownSec: 0, condition: { kind: 'text', text: 'blue', sigma: 4, confirm: null } })).toThrow(/already has an alert rule named 'red'/);

      const base = { videoId: 1, source: 'door', path: 'door', startedAt: 1_800_000_000, clipId: 5 };
      const first = store.alerts.raise({ ...base, ruleId: red.id, ruleName: red.name, start: 8, end: 10, score: 6.5 });
      expect(first).toMatchObject({ id: 1, ruleId: 1, ruleName: 'red', start: 8, end: 10, thumbnail: null, snapshot: null, raisedAt: expect.stringMatching(/Z$/) });
      store.alerts.extend(first.id, 14);
      store.alerts.extend(first.id, 12);
      const jpeg = Uint8Array.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
      const second = store.alerts.raise({ ...base, ruleId: crowd.id, ruleName: crowd.name, start: 20, end: 26, score: 4 }, jpeg);
      expect(second.snapshot).toBe(join(dir, 'snapshots', '5-2.jpg'));
      expect(readFileSync(second.snapshot!)).toEqual(Buffer.from(jpeg));
      expect(store.alerts.events()[0]!.snapshot).toBe(second.snapshot);
      expect(store.alerts.events().map((e) => [e.id, e.ruleName, e.start, e.end])).toEqual([[2, 'crowd', 20, 26], [1, 'red', 8, 14]]);
      expect(store.alerts.events({ ruleId: red.id }).map((e) => e.id)).toEqual([1]);
      expect(store.alerts.events({ limit: 1 }).map((e) => e.id)).toEqual([2]);
      expect(() => store.alerts.raise({ ...base, ruleId: red.id, ruleName: red.name, start: 8, end: 2, score: 1 })).toThrow(/bad time span 8–2/);

      expect(store.alerts.removeRule(red.id)).toBe(true);
      expect(store.alerts.removeRule(red.id)).toBe(false);
      expect(store.alerts.events().at(-1)).toMatchObject({ id: 1, ruleId: null, ruleName: 'red' });
    } finally {
      store.close();
    }
    const reader = MemoryStore.open(dir, { readonly: true });
    try {
      expect(reader.alerts.rules().map((r) => r.name)).toEqual(['crowd']);
      expect(() => reader.alerts.removeRule(2)).toThrow(/open read-only/);
    } finally {
      reader.close();
    }
  });
});

describe('detections in the store', () => {
  const MODEL = { name: 'palette', dim: 2, fingerprint: 'alert-log-test-model' };
  const person = (x: number, zones: string[]): ClipDetection => ({ label: 'person', classId: 0, score: 0.6, time: 1, box: { x, y: 0.4, width: 0.1, height: 0.3 }, zones });
  const clip = (index: number, detections: ClipDetection[]): NewClipInput => ({
    index, start: index * 4, end: index * 4 + 4, indicator: Float32Array.from([1, 0]), tokens: [], framesEncoded: 1, framesRepeat: 0, detections,
  });
  const rows = (dir: string) => {
    const db = new Database(join(dir, 'vidmem.db'), { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM detections').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it("keeps a clip's boxes with their zones, and removes them with the video or with pruned memories", () => {
    const dir = join(tempDir('vidmem-detections-'), 'store');
    const store = MemoryStore.open(dir);
    try {
      store.bindModel(MODEL);
      const video = store.videos.begin({ path: '/media/street.mp4', contentHash: 'street', durationSec: 8, fps: 25, width: 64, height: 48, settings: {} });
      const first = store.videos.appendClip(video.id, clip(0, [person(0.2, ['lawn']), { ...person(0.6, []), label: 'car', classId: 2, score: 0.9 }]));
      const second = store.videos.appendClip(video.id, clip(1, []));
      expect(store.videos.detectionsOf(first)).toEqual([{ ...person(0.6, []), label: 'car', classId: 2, score: 0.9 }, person(0.2, ['lawn'])]);
      expect(store.videos.detectionsOf(second)).toEqual([]);
      expect(() => store.videos.appendClip(video.id, clip(2, [{ ...person(0.2, []), box: { x: 1.2, y: 0, width: 0.1, height: 0.1 } }]))).toThrow();
      expect(store.videos.clipsOf(video.id)).toHaveLength(2);

      const source = store.sources.register('door', 'rtsp://127.0.0.1/door');
      const now = Date.now() / 1000;
      const segment = store.sources.beginSegment(source, { startedAt: now - 3600, fps: 1, width: 64, height: 48, settings: {} });
      const watched = store.videos.appendClip(segment, clip(0, [person(0.5, [])]));
      store.sources.extendSegment(segment, 4);
      expect(rows(dir)).toBe(3);

      expect(store.sources.pruneMemories(source, now)).toBe(1);
      expect(store.videos.detectionsOf(watched)).toEqual([]);
      expect(store.videos.remove(video.id)).toBe(2);
      expect(store.videos.detectionsOf(first)).toEqual([]);
      expect(rows(dir)).toBe(0);
    } finally {
      store.close();
    }
  });
});
