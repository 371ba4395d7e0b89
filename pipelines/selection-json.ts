/**
 * A selection as machine-readable output gives it (`ask --json --explain`, the HTTP API, MCP):
 * every candidate clip, its scores, and why it was kept or not.
 */
import { roundTo } from '../src/core/moment-json.js';
import type { Selection } from '../src/selection/selection.js';

export function selectionJson(selection: Selection): object {
  return {
    kind: selection.kind,
    indexHits: selection.indexHits,
    tokensUsed: selection.tokensUsed,
    budget: selection.budget,
    decisions: selection.decisions.map(({ candidate: c, verdict, reason }) => ({
      clipId: c.clipId, videoId: c.videoId, index: c.index, start: roundTo(c.start), end: roundTo(c.end),
      focusStart: roundTo(c.focusStart), focusEnd: roundTo(c.focusEnd), indicator: roundTo(c.indicatorScore, 4),
      memory: roundTo(c.memoryScore, 4), combined: roundTo(c.score, 4), tokens: c.tokens.length, via: c.via, verdict, reason,
    })),
  };
}
