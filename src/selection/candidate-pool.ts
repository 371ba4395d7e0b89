import type { RankedClip } from '../core/clips.js';

export interface CandidatePool {
  /** The hits worth reading, best first. */
  readonly pool: readonly RankedClip[];
  /** For each of them, the near-identical neighbours it stands for (a long scene's other clips). */
  readonly runs: ReadonlyMap<number, readonly RankedClip[]>;
  /** The heads of distinct moments past `size`, best first: found by the index, not read. */
  readonly unread: readonly RankedClip[];
}

/**
 * Index hits thinned to distinct moments before anything is read about them. A long scene puts
 * dozens of nearly identical clips at the top of the index's answer, and reading them all would
 * crowd out the short event ranked just below them (a needle that fills only half of its clip
 * scores lower than a scene that fills all of its clips). So the index is asked for more hits than
 * will be read, and consecutive clips of a video whose scores all lie within `tolerance` of each
 * other form a run: only its best clip is read, the others only lend the run their time.
 */
export function candidatePool(ranked: readonly RankedClip[], size: number, tolerance: number): CandidatePool {
  const inTime = [...ranked].sort((a, b) => a.videoId - b.videoId || a.index - b.index);
  const runs = new Map<number, RankedClip[]>();
  const heads: RankedClip[] = [];
  let run: RankedClip[] = [];
  let low = Infinity;
  let high = -Infinity;
  const close = (): void => {
    if (run.length === 0) return;
    // The best clip heads the run; on a tie, the earliest.
    const head = run.reduce((best, h) => (h.score > best.score ? h : best));
    heads.push(head);
    runs.set(head.clipId, run.filter((h) => h !== head));
  };
  for (const hit of inTime) {
    const previous = run.at(-1);
    const continues =
      previous !== undefined &&
      previous.videoId === hit.videoId &&
      previous.index + 1 === hit.index &&
      Math.max(high, hit.score) - Math.min(low, hit.score) <= tolerance;
    if (!continues) {
      close();
      run = [];
      low = Infinity;
      high = -Infinity;
    }
    run.push(hit);
    low = Math.min(low, hit.score);
    high = Math.max(high, hit.score);
  }
  close();
  heads.sort((a, b) => b.score - a.score);
  const pool = heads.slice(0, size);
  return { pool, runs: new Map(pool.map((h) => [h.clipId, runs.get(h.clipId)!])), unread: heads.slice(size) };
}
