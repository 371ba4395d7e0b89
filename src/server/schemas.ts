/**
 * The shapes requests and answers take: validated on the way in, serialized on the way out, and
 * the same objects make the OpenAPI description at /openapi.json. Wall-clock times are ISO 8601
 * with their offset; times within a video are seconds.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { LIMITS } from '../core/config.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.Integer({ minimum: 1 });
const Iso = Type.String({ format: 'date-time', description: 'ISO 8601 with offset' });

export const ErrorReply = Type.Object({ error: Type.String() }, { $id: 'Error' });

export const ClipText = Type.Object({ channel: Type.String(), text: Type.String(), start: Type.Number(), end: Type.Number() });

export const Moment = Type.Object(
  {
    videoId: Type.Integer(),
    path: Type.String(),
    start: Type.Number({ description: 'seconds into the video' }),
    end: Type.Number(),
    startsAt: Type.Optional(Iso),
    endsAt: Type.Optional(Iso),
    score: Type.Number(),
    thumbnail: Nullable(Type.String({ description: 'URL of the keyframe' })),
    media: Nullable(Type.String({ description: 'URL that plays the moment: the file itself, or a cut of a live source\'s recording' })),
    mediaStart: Type.Number({ description: 'seconds into `media` where the moment begins' }),
    text: Type.Array(ClipText, { description: 'what is known of the moment as text: slides, subtitles, speech, detections' }),
  },
  { $id: 'Moment' },
);
export type MomentReply = Static<typeof Moment>;

export const Video = Type.Object(
  {
    id: Type.Integer(),
    path: Type.String(),
    durationSec: Type.Number(),
    clips: Type.Integer(),
    status: Type.String({ enum: ['ingesting', 'complete', 'incomplete'] }),
    storedUntil: Type.Number(),
    source: Nullable(Type.String({ description: "the live source whose segment this is" })),
    startsAt: Nullable(Iso),
    media: Nullable(Type.String({ description: 'URL of the file, with range requests; null for a live segment' })),
  },
  { $id: 'Video' },
);
export type VideoReply = Static<typeof Video>;

export const Gap = Type.Object({ start: Iso, end: Nullable(Iso), reason: Type.String() });

export const Source = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    url: Type.String(),
    segments: Type.Integer(),
    clips: Type.Integer(),
    from: Nullable(Iso),
    until: Nullable(Iso),
    gaps: Type.Array(Gap),
    watching: Type.Boolean({ description: 'watched by this server now' }),
    framesDropped: Type.Integer({ description: 'frames dropped on its current connection because encoding was behind' }),
  },
  { $id: 'Source' },
);
export type SourceReply = Static<typeof Source>;

const TimeScope = {
  videoId: Type.Optional(Id),
  since: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'only live sources\' clips of the last this many seconds' })),
  from: Type.Optional(Iso),
  to: Type.Optional(Iso),
};

const Explain = Type.Optional(Type.Boolean({ description: 'include every candidate clip and why it was kept or not' }));

export const SearchQuery = Type.Object({
  q: Type.String({ minLength: LIMITS.questionChars.min, maxLength: LIMITS.questionChars.max, description: 'what to look for, e.g. "red on the left"' }),
  top: Type.Optional(Type.Integer({ minimum: LIMITS.top.min, maximum: LIMITS.top.max })),
  ...TimeScope,
});

export const AskBody = Type.Object({
  question: Type.String({ minLength: LIMITS.questionChars.min, maxLength: LIMITS.questionChars.max }),
  budget: Type.Optional(Type.Integer({ minimum: LIMITS.budget.min, maximum: LIMITS.budget.max, description: 'memory tokens the answer may draw on' })),
  explain: Explain,
  ...TimeScope,
});

export const Answer = Type.Object(
  {
    answer: Type.String(),
    evidence: Type.Array(Moment),
    selected: Type.Integer(),
    tokensUsed: Type.Integer(),
    budget: Type.Integer(),
    explain: Type.Optional(Type.Unknown()),
  },
  { $id: 'Answer' },
);

export const ChatSession = Type.Object(
  { id: Type.Integer(), videoId: Nullable(Type.Integer()), turns: Type.Integer(), firstQuestion: Nullable(Type.String()), createdAt: Type.String(), updatedAt: Type.String() },
  { $id: 'ChatSession' },
);

const Cited = Type.Object({ videoId: Type.Integer(), start: Type.Number(), end: Type.Number(), score: Type.Number() });

export const ChatTurn = Type.Object(
  { id: Type.Integer(), question: Type.String(), query: Type.String(), answer: Type.String(), decoder: Type.String(), evidence: Type.Array(Cited), createdAt: Type.String() },
  { $id: 'ChatTurn' },
);

export const NewChat = Type.Object({ question: Type.String({ minLength: LIMITS.questionChars.min, maxLength: LIMITS.questionChars.max }), videoId: Type.Optional(Nullable(Id)), explain: Explain });
export const ChatQuestion = Type.Object({ question: Type.String({ minLength: LIMITS.questionChars.min, maxLength: LIMITS.questionChars.max }), explain: Explain });

/** How the object detector looks, as `--detect`, `--detect-fps` and `--zone` say on the command line. */
const Detection = {
  detect: Type.Optional(Type.Boolean()),
  detectFps: Type.Optional(Type.Number({ minimum: LIMITS.detectFps.min, maximum: LIMITS.detectFps.max, description: 'frames a second the detector looks at (default: one a clip)' })),
  zones: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 64, description: 'named polygons, each "name=x1,y1,x2,y2,…" in fractions of the picture' })),
};

export const IngestBody = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 4096, description: 'a video file on the server\'s machine' }),
  preset: Type.Optional(Type.String({ enum: ['surveillance', 'lecture', 'chat'] })),
  ocr: Type.Optional(Type.Boolean()),
  ...Detection,
});

export const WatchBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' }),
  url: Type.String({ minLength: 1, maxLength: 4096, description: 'rtsp://, http(s)://, udp://, srt://; or a local file with realtime' }),
  realtime: Type.Optional(Type.Boolean()),
  record: Type.Optional(Type.Boolean()),
  ...Detection,
});

export const Job = Type.Object(
  {
    id: Type.Integer(),
    type: Type.String({ enum: ['ingest'] }),
    path: Type.String(),
    status: Type.String({ enum: ['queued', 'running', 'done', 'failed', 'cancelled'] }),
    progress: Type.Number({ minimum: 0, maximum: 1 }),
    clips: Type.Integer(),
    videoId: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
  },
  { $id: 'Job' },
);
export type JobReply = Static<typeof Job>;

export const IdParams = Type.Object({ id: Id });
export const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });
