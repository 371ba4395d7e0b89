/**
 * What a watch keeps, for all sources and for each: recordings by age and size, memories by age and
 * never for less time than the recordings they cite. Every rule of the retention options is checked
 * here, before anything is watched, so that a mistake is one line and not a camera pruned wrongly.
 */
import { checkRange, LIMITS } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import { quote } from '../src/core/quote.js';
import { formatDuration } from '../src/core/time-format.js';
import type { RetentionBudget, SourceBudget } from '../storage/memory-store.js';

/** One source's retention, or every source's. */
export interface SourceRetention {
  /** Recordings older than this many seconds are removed, oldest first. */
  readonly retainSeconds?: number;
  /** Recordings are kept under this many bytes, oldest removed first: of all sources together, or of one. */
  readonly maxRecordingBytes?: number;
  /**
   * Memories (clips, with their keyframes) older than this many seconds are removed, oldest first.
   * At least `retainSeconds`, which defaults to it: a recording outliving every memory of it could
   * not be found by any question.
   */
  readonly retainMemoriesSeconds?: number;
}

export interface WatchRetention {
  /** For every source in the store; absent when nothing is pruned. */
  readonly recordings?: RetentionBudget;
  /** By watched source's name: seconds its memories are kept, where they are not kept for ever. */
  readonly memories: ReadonlyMap<string, number>;
}

const OPTION: Record<keyof SourceRetention, string> = { retainSeconds: '--retain', maxRecordingBytes: '--max-storage', retainMemoriesSeconds: '--retain-memories' };

/**
 * `all` holds for every source; a source named in `perSource` has its own age limits instead, and
 * its own size cap within the total of `all`.
 */
export function watchRetention(sources: readonly string[], all: SourceRetention, perSource: Readonly<Record<string, SourceRetention>> = {}): WatchRetention {
  for (const [name, own] of Object.entries(perSource)) {
    if (!sources.includes(name)) {
      const option = OPTION[(Object.keys(own) as Array<keyof SourceRetention>)[0] ?? 'retainSeconds'];
      throw new UserError(`${option} names a source ${quote(name)} that is not watched here (the sources: ${sources.join(', ')})`, 2);
    }
  }
  const shared = ages(all);
  const memories = new Map<string, number>();
  const budgets = new Map<string, SourceBudget>();
  for (const name of sources) {
    if (!Object.hasOwn(perSource, name)) {
      if (shared.memories !== undefined) memories.set(name, shared.memories);
      continue;
    }
    const given = perSource[name]!;
    const source = ages({ ...all, ...definedOf(given) }, name);
    if (source.memories !== undefined) memories.set(name, source.memories);
    budgets.set(name, {
      ...(source.recordings !== undefined ? { retainSeconds: source.recordings } : {}),
      ...(given.maxRecordingBytes !== undefined ? { maxBytes: given.maxRecordingBytes } : {}),
    });
  }
  const prunes = shared.recordings !== undefined || all.maxRecordingBytes !== undefined || budgets.size > 0;
  const recordings: RetentionBudget = {
    ...(shared.recordings !== undefined ? { retainSeconds: shared.recordings } : {}),
    ...(all.maxRecordingBytes !== undefined ? { maxBytes: all.maxRecordingBytes } : {}),
    sources: budgets,
  };
  return { ...(prunes ? { recordings } : {}), memories };
}

/** The seconds recordings and memories are kept: recordings as long as the memories unless told, memories never the shorter. */
function ages(retention: SourceRetention, source?: string): { recordings?: number; memories?: number } {
  const of = source === undefined ? '' : ` of ${source}`;
  const memories = retention.retainMemoriesSeconds;
  if (memories !== undefined) checkRange(`retainMemoriesSeconds${of}`, memories, LIMITS.retainMemoriesSec);
  const recordings = retention.retainSeconds ?? memories;
  if (memories !== undefined && recordings! > memories) {
    throw new UserError(
      `memories${of} kept for ${formatDuration(memories)} would go before the recordings kept for ${formatDuration(recordings!)} that they point to; keep them at least as long (--retain-memories ≥ --retain)`,
      2,
    );
  }
  return { ...(recordings !== undefined ? { recordings } : {}), ...(memories !== undefined ? { memories } : {}) };
}

/** A source's own values, leaving those it does not give to the values for all. */
function definedOf(retention: SourceRetention): SourceRetention {
  return Object.fromEntries(Object.entries(retention).filter(([, value]) => value !== undefined));
}
