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
  it('keeps rules and events, extends an event, keeps its rule name when the rule goes, and refuses writes when read-only', () => {
    const dir = join(tempDir('vidmem-alert-log-'), 'store');
    const store = MemoryStore.open(dir);
    try {
      const red = store.alerts.addRule({ name: 'red', source: 'door', cooldownSec: 30, condition: { kind: 'text', text: 'red', sigma: 4 } });
      const crowd = store.alerts.addRule({ name: 'crowd', source: null, cooldownSec: 0, condition: { kind: 'object', object: 'person', minCount: 3, minSeconds: 5, zone: 'lawn' } });
      expect(store.alerts.rules()).toEqual([red, crowd]);
      expect(crowd).toMatchObject({ id: 2, condition: { kind: 'object', object: 'person', minCount: 3, minSeconds: 5, zone: 'lawn' } });
      expect(() => store.alerts.addRule({ name: 'red', source: null, cooldownSec: 0, condition: { kind: 'text', text: 'blue', sigma: 4 } })).toThrow(/already has an alert rule named 'red'/);

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
