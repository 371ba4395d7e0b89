/** Standing questions (alert rules) and the events they raised: the rules users add, the events watches and ingests write. */
import type { AlertEventRecord, AlertRule, NewAlertEvent, NewAlertRule } from '../src/core/alerts.js';
import type { AlertsRepository } from './repositories/alerts.js';
import { isSpan } from './checks.js';
import type { Snapshots } from './snapshots.js';
import type { Snippets } from './snippets.js';
import { StoreError, type StoreFailures } from './store-errors.js';
import type { Thumbnails } from './thumbnails.js';

export class AlertLog {
  constructor(
    private readonly dir: string,
    private readonly readonly: boolean,
    private readonly alerts: AlertsRepository,
    private readonly failures: StoreFailures,
    private readonly thumbnails: Thumbnails,
    private readonly snapshots: Snapshots,
    private readonly snippets: Snippets,
  ) {}

  /** A new rule; its name must be new too. */
  addRule(rule: NewAlertRule): AlertRule {
    return this.write(() => {
      if (this.alerts.ruleByName(rule.name)) throw new StoreError(`store ${this.dir} already has an alert rule named '${rule.name}'`);
      return this.alerts.insertRule(rule);
    });
  }

  rule(id: number): AlertRule | undefined {
    return this.failures.guard(() => this.alerts.rule(id));
  }

  rules(): AlertRule[] {
    return this.failures.guard(() => this.alerts.rules());
  }

  /** Removes a rule (its events stay); false when there was none. */
  removeRule(id: number): boolean {
    return this.write(() => this.alerts.removeRule(id));
  }

  /** A new event, with its snapshot (JPEG) when it has one. */
  raise(event: NewAlertEvent, snapshotJpeg?: Uint8Array): AlertEventRecord {
    return this.write(() => {
      if (!isSpan(event.start, event.end) || !Number.isFinite(event.score)) {
        throw new StoreError(`alert event: bad time span ${event.start}–${event.end} or score ${event.score}`);
      }
      const snapshot = snapshotJpeg ? this.snapshots.write(event.clipId, event.ruleId, snapshotJpeg) : null;
      return this.located(this.alerts.insertEvent(event, snapshot));
    });
  }

  /** The appearance an event is of goes on until `end` (seconds into its video). */
  extend(eventId: number, end: number): void {
    this.write(() => this.alerts.extendEvent(eventId, end));
  }

  /** The latest events first, of every rule or of one; at most `limit`. */
  events(options: { readonly ruleId?: number; readonly limit?: number } = {}): AlertEventRecord[] {
    return this.failures.guard(() => this.alerts.events(options.ruleId ?? null, options.limit ?? null).map((e) => this.located(e)));
  }

  /** The events raised since event `afterId`, oldest first (a few hundred at most: read again for more). */
  eventsAfter(afterId: number, ruleId?: number): AlertEventRecord[] {
    return this.failures.guard(() => this.alerts.eventsAfter(afterId, ruleId ?? null).map((e) => this.located(e)));
  }

  /** The rule's latest event on a stream (a live source, else the file's video): where a restarted watch or a resumed ingest takes its cool-down from. */
  lastOfStream(ruleId: number, source: string | null, videoId: number): AlertEventRecord | undefined {
    return this.failures.guard(() => {
      const event = this.alerts.lastOfStream(ruleId, source, videoId);
      return event && this.located(event);
    });
  }

  /** The newest event's id; 0 when there is none. */
  lastEventId(): number {
    return this.failures.guard(() => this.alerts.lastEventId());
  }

  /**
   * Keeps an event's snippet: `cut` writes the MP4 it is given the path of, and the event then
   * names it. A kill in between leaves a file no event names, which harms nothing.
   */
  async keepSnippet(eventId: number, cut: (file: string) => Promise<void>): Promise<AlertEventRecord> {
    if (this.readonly) throw new StoreError(`store ${this.dir} is open read-only`);
    const snippet = await this.snippets.write(eventId, cut);
    return this.write(() => {
      this.alerts.setSnippet(eventId, snippet);
      return this.located(this.alerts.event(eventId)!);
    });
  }

  /** Keyframe, snapshot and snippet paths are kept relative to the store; events give them whole. */
  private located(event: AlertEventRecord): AlertEventRecord {
    return { ...event, thumbnail: this.thumbnails.path(event.thumbnail), snapshot: this.snapshots.path(event.snapshot), snippet: this.snippets.path(event.snippet) };
  }

  private write<T>(work: () => T): T {
    if (this.readonly) throw new StoreError(`store ${this.dir} is open read-only`);
    return this.failures.guard(work);
  }
}
