/**
 * The store as tools for an LLM agent, over the Model Context Protocol: the same calls as
 * `vidmem search`, `ask`, `videos` and `sources`, with their `--json` shapes, and a moment's
 * keyframe as an image the agent can look at. Every result is JSON text (which every client
 * shows to its model) and the same object as structured content.
 */
import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { lastValueFrom, toArray } from 'rxjs';
import * as z from 'zod';
import { LIMITS, type Range } from '../core/config.js';
import { momentJson, roundTo, wallClockJson } from '../core/moment-json.js';
import { timeWindow } from '../core/moments.js';
import { isoWallClock } from '../core/time-format.js';
import { VERSION } from '../core/version.js';
import { alertPayload } from '../../pipelines/alert-payload.js';
import type { Vidmem } from '../../pipelines/vidmem.js';

const whole = (range: Range) => z.number().int().min(range.min).max(range.max);
const text = (what: string) => z.string().min(LIMITS.questionChars.min).max(LIMITS.questionChars.max).describe(what);

/** Where a question looks: one video, a span of wall-clock time (live sources). */
const scope = {
  videoId: z.number().int().min(1).optional().describe('only this video (list_videos gives the ids)'),
  sinceSeconds: z.number().positive().optional().describe("only the last this many seconds of live sources' time, e.g. 600"),
  from: z.iso.datetime({ offset: true }).optional().describe('only from this wall-clock time (ISO 8601)'),
  to: z.iso.datetime({ offset: true }).optional().describe('only up to this wall-clock time (ISO 8601)'),
};

type Scope = { videoId?: number | undefined; sinceSeconds?: number | undefined; from?: string | undefined; to?: string | undefined };

function within({ videoId, sinceSeconds, from, to }: Scope) {
  const seconds = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso) / 1000);
  const window = timeWindow({ since: sinceSeconds, from: seconds(from), to: seconds(to) });
  return { ...(videoId !== undefined ? { videoId } : {}), ...(window ? { within: window } : {}) };
}

function result(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

export function createMcpServer(app: Vidmem): McpServer {
  const server = new McpServer(
    { name: 'vidmem', version: VERSION },
    {
      instructions:
        'A store of video memories. Find moments with search_moments, answer questions with ask (its evidence cites videoId and start/end seconds), ' +
        'look at a moment with get_keyframe, see what the standing questions raised with list_events. Times are seconds into a video; a live source\'s moments also carry startsAt/endsAt in ISO 8601.',
    },
  );

  server.registerTool('search_moments', {
    title: 'Search moments',
    description: 'The moments of the stored videos that match a text (what is seen, or read on slides, said, or detected), best first.',
    inputSchema: { query: text('what to look for, e.g. "a red car on the left"'), top: whole(LIMITS.top).optional().describe('how many moments (default 5)'), ...scope },
    annotations: { readOnlyHint: true },
  }, async ({ query, top, ...where }) => {
    const moments = await app.search(query, { ...(top !== undefined ? { top } : {}), ...within(where) });
    return result({ results: moments.map(momentJson) });
  });

  server.registerTool('ask', {
    title: 'Ask the videos',
    description: 'Answers a question from the memories it selects, citing [mm:ss] moments; evidence lists those moments.',
    inputSchema: { question: text('e.g. "when did the lights go out?"'), budget: whole(LIMITS.budget).optional().describe('memory tokens the answer may draw on'), ...scope },
    annotations: { readOnlyHint: true },
  }, async ({ question, budget, ...where }) => {
    const events = await lastValueFrom(app.ask(question, { ...(budget !== undefined ? { budget } : {}), ...within(where) }).pipe(toArray()));
    const answer = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
    const evidence = events.flatMap((e) => (e.type === 'selection' ? e.evidence.map(momentJson) : []));
    return result({ answer, evidence });
  });

  server.registerTool('list_videos', {
    title: 'List videos',
    description: "The stored videos (files, and live sources' segments) with how far each was stored.",
    annotations: { readOnlyHint: true },
  }, async () =>
    result({
      videos: app.videos().map((v) => ({
        id: v.id, path: v.path, durationSec: roundTo(v.durationSec), clips: v.clips, status: v.status, storedUntil: roundTo(v.storedUntil),
        source: v.source, ...(v.startedAt !== null ? { startsAt: isoWallClock(v.startedAt) } : {}),
      })),
    }));

  server.registerTool('list_sources', {
    title: 'List live sources',
    description: 'The live cameras and streams watched into the store: the wall-clock time they cover, and their gaps with the reason.',
    annotations: { readOnlyHint: true },
  }, async () => {
    const iso = (t: number | null) => (t === null ? null : isoWallClock(t));
    return result({
      sources: app.sources().map((s) => ({
        name: s.name, url: s.url, segments: s.segments, clips: s.clips, from: iso(s.from), until: iso(s.until),
        gaps: s.gaps.map((g) => ({ start: isoWallClock(g.start), end: iso(g.end), reason: g.reason })),
      })),
    });
  });

  server.registerTool('list_events', {
    title: 'List alert events',
    description: "What the store's standing questions (vidmem alerts) raised, newest first: the rule, where and when, the score, the keyframe (and an object rule's snapshot, the counted boxes drawn).",
    inputSchema: { ruleId: z.number().int().min(1).optional().describe('only this rule\'s events'), last: z.number().int().min(1).max(10_000).optional().describe('at most this many (default 50)') },
    annotations: { readOnlyHint: true },
  }, async ({ ruleId, last }) =>
    result({ events: app.alertEvents({ ...(ruleId !== undefined ? { ruleId } : {}), limit: last ?? 50 }).map(alertPayload) }));

  server.registerTool('get_keyframe', {
    title: 'Get a keyframe',
    description: "The picture of a video at a time: the keyframe of the clip there (e.g. a search result's videoId and start).",
    inputSchema: { videoId: z.number().int().min(1), at: z.number().min(0).describe('seconds into the video') },
    annotations: { readOnlyHint: true },
  }, async ({ videoId, at }) => {
    const clip = app.keyframe(videoId, at);
    const shown = { videoId, start: roundTo(clip.start), end: roundTo(clip.end), ...wallClockJson(clip), path: clip.videoPath };
    return {
      content: [{ type: 'image', data: readFileSync(clip.thumbnail).toString('base64'), mimeType: 'image/jpeg' }, { type: 'text', text: JSON.stringify(shown) }],
      structuredContent: shown,
    };
  });

  return server;
}
