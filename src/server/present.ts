/**
 * Stored things as the API gives them: the store's files as URLs of this server (never as paths
 * to open), wall-clock times in ISO 8601.
 */
import { isAbsolute, join, relative, sep } from 'node:path';
import { alertPayload } from '../../pipelines/alert-payload.js';
import { SNIPPET_BEFORE } from '../../pipelines/event-snippets.js';
import { momentJson, roundTo } from '../core/moment-json.js';
import type { Moment } from '../core/moments.js';
import { isoWallClock } from '../core/time-format.js';
import type { AlertEventRecord, SourceGap, SourceSummary, VideoListing } from '../../pipelines/vidmem.js';
import type { MomentReply, SourceReply, VideoReply } from './schemas.js';

/** Seconds of a live source's recording cut around a moment, beyond the moment itself: what led to it. */
const LEAD_SECONDS = 2;

/** A file of the store's `folder` as a URL under `route`; null for none, or one outside the folder. */
function urlOf(path: string | null, folder: string, route: string): string | null {
  if (path === null) return null;
  const rel = relative(folder, path);
  return rel.startsWith('..') || isAbsolute(rel) ? null : `${route}/${rel.split(sep).join('/')}`;
}

export class Presenter {
  private readonly thumbs: string;
  private readonly snapshots: string;
  private readonly snippets: string;

  constructor(storeDir: string, private readonly sourceOf: (videoId: number) => string | null) {
    this.thumbs = join(storeDir, 'thumbs');
    this.snapshots = join(storeDir, 'snapshots');
    this.snippets = join(storeDir, 'snippets');
  }

  thumbnailUrl(path: string | null): string | null {
    return urlOf(path, this.thumbs, '/api/thumbnails');
  }

  snapshotUrl(path: string | null): string | null {
    return urlOf(path, this.snapshots, '/api/snapshots');
  }

  moment(m: Moment): MomentReply {
    const { text, ...json } = momentJson(m);
    return { ...json, text: [...text], thumbnail: this.thumbnailUrl(m.thumbnail), ...this.playable(m) };
  }

  /**
   * An event as `--json` gives it, with the URLs of its keyframe, snapshot and snippet, and what
   * plays its moment: its snippet once it has one (kept when the recording is pruned), from where
   * the event began in it.
   */
  event(e: AlertEventRecord): Record<string, unknown> {
    const snippet = urlOf(e.snippet, this.snippets, '/api/snippets');
    const evidence = { clipId: e.clipId, thumbnail: this.thumbnailUrl(e.thumbnail), snapshot: this.snapshotUrl(e.snapshot), snippet };
    return { ...alertPayload(e), evidence, ...(snippet ? { media: snippet, mediaStart: SNIPPET_BEFORE } : this.playable(e)) };
  }

  /** What plays a moment from its start: the video file, or the recording of a live source cut around it. */
  private playable(m: Pick<Moment, 'videoId' | 'start' | 'end' | 'startedAt'>): { media: string; mediaStart: number } {
    const { startedAt } = m;
    const source = startedAt === null ? null : this.sourceOf(m.videoId);
    if (startedAt === null || source === null) return { media: `/api/videos/${m.videoId}/media`, mediaStart: roundTo(m.start) };
    const at = Math.max(0, m.start - LEAD_SECONDS);
    const seconds = Math.ceil(m.end - at);
    const media = `/api/sources/${encodeURIComponent(source)}/clip?at=${encodeURIComponent(isoWallClock(startedAt + at))}&seconds=${seconds}`;
    return { media, mediaStart: roundTo(m.start - at) };
  }
}

export function presentVideo(v: VideoListing): VideoReply {
  return {
    id: v.id, path: v.path, durationSec: v.durationSec, clips: v.clips, status: v.status, storedUntil: v.storedUntil, source: v.source,
    startsAt: v.startedAt === null ? null : isoWallClock(v.startedAt), media: v.source === null ? `/api/videos/${v.id}/media` : null,
  };
}

export function presentSource(s: SourceSummary & { readonly gaps: readonly SourceGap[] }, live: { watching: boolean; framesDropped: number }): SourceReply {
  const iso = (t: number | null) => (t === null ? null : isoWallClock(t));
  return {
    id: s.id, name: s.name, url: s.url, segments: s.segments, clips: s.clips, from: iso(s.from), until: iso(s.until),
    gaps: s.gaps.map((g) => ({ start: isoWallClock(g.start), end: iso(g.end), reason: g.reason })), ...live,
  };
}
