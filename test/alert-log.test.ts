/** The store's alert rules and events: the log outlives the rule, an event only grows, a read-only store refuses. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/memory-store.js';
import { tempDir } from './helpers/cli.js';

describe('alert rules and events in the store', () => {
  it('keeps rules and events, extends an event, keeps its rule name when the rule goes, and refuses writes when read-only', () => {
    const dir = join(tempDir('vidmem-alert-log-'), 'store');
    const store = MemoryStore.open(dir);
    try {
      const red = store.alerts.addRule({ name: 'red', source: 'door', cooldownSec: 30, condition: { kind: 'text', text: 'red', sigma: 4 } });
      const crowd = store.alerts.addRule({ name: 'crowd', source: null, cooldownSec: 0, condition: { kind: 'object', object: 'person', minCount: 3, minSeconds: 5 } });
      expect(store.alerts.rules()).toEqual([red, crowd]);
      expect(crowd).toMatchObject({ id: 2, condition: { kind: 'object', object: 'person', minCount: 3, minSeconds: 5 } });
      expect(() => store.alerts.addRule({ name: 'red', source: null, cooldownSec: 0, condition: { kind: 'text', text: 'blue', sigma: 4 } })).toThrow(/already has an alert rule named 'red'/);

      const base = { videoId: 1, source: 'door', path: 'door', startedAt: 1_800_000_000, clipId: 5 };
      const first = store.alerts.raise({ ...base, ruleId: red.id, ruleName: red.name, start: 8, end: 10, score: 6.5 });
      expect(first).toMatchObject({ id: 1, ruleId: 1, ruleName: 'red', start: 8, end: 10, thumbnail: null, raisedAt: expect.stringMatching(/Z$/) });
      store.alerts.extend(first.id, 14);
      store.alerts.extend(first.id, 12);
      store.alerts.raise({ ...base, ruleId: crowd.id, ruleName: crowd.name, start: 20, end: 26, score: 4 });
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
