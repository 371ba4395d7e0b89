/**
 * One turn of a chat session: pick the turn's memories (the turns before it decide how, see
 * src/chat/follow-up.ts), stream the decoder's answer, and record the turn once it is complete.
 */
import { planTurn, type Direction } from '../src/chat/follow-up.js';
import type { ChatTurn, Decoder, Evidence } from '../src/decoders/decoder.js';
import type { TextEncoder } from '../src/encoders/encoder.js';
import { cosine } from '../src/vector-math.js';
import type { ChatTurnRecord, CitedMoment, MemoryStore } from '../storage/memory-store.js';

/** Earlier turns the decoder sees: enough for "that" to mean something, few enough to leave an LLM room. */
export const HISTORY_TURNS = 6;
/** A continuation looks this many clips ahead (or back): as many as a selection keeps. */
const CONTINUATION_CLIPS = 4;
/** A clip that overlaps the anchor counts only for at least this much video outside it (seconds). */
const MIN_OUTSIDE_SEC = 0.5;

export interface Selection {
  /** In time order. */
  readonly evidence: Evidence[];
  readonly wholeVideo: boolean;
}

/**
 * How a question finds its memories, injected so that chat uses the same selection as `ask`
 * without depending on how it works. `query` is what to match; `question` is what was asked.
 */
export type SelectMemories = (query: string, question: string, videoId: number | undefined) => Promise<Selection>;

export interface ChatContext {
  readonly store: MemoryStore;
  /** The store's text encoder, to score continuation moments against the question. */
  readonly text: TextEncoder;
  readonly decoder: Decoder;
  readonly select: SelectMemories;
  readonly sessionId: number;
  readonly videoId?: number;
}

export interface ChatAnswer {
  readonly turn: ChatTurnRecord;
  readonly evidence: readonly Evidence[];
}

export interface TurnOptions {
  /** Called with each piece of the answer as the decoder streams it. */
  readonly onPiece?: (piece: string) => void;
  readonly signal?: AbortSignal;
}

export async function chatTurn(ctx: ChatContext, question: string, options: TurnOptions = {}): Promise<ChatAnswer> {
  const recent = ctx.store.chatTurns(ctx.sessionId, HISTORY_TURNS);
  const plan = planTurn(question, recent.at(-1));
  const selection = plan.continuation
    ? { evidence: await adjacentMoments(ctx, plan.query, plan.continuation.anchor, plan.continuation.direction), wholeVideo: false }
    : await ctx.select(plan.query, question, ctx.videoId);
  const history: ChatTurn[] = recent.flatMap((t) => [
    { role: 'user' as const, content: t.question },
    { role: 'assistant' as const, content: t.answer },
  ]);
  let answer = '';
  for await (const piece of ctx.decoder.answer({ question, evidence: selection.evidence, wholeVideo: selection.wholeVideo, history }, options.signal)) {
    answer += piece;
    options.onPiece?.(piece);
  }
  const cited: CitedMoment[] = selection.evidence.map(({ videoId, start, end, score }) => ({ videoId, start, end, score }));
  const turn = ctx.store.addChatTurn(ctx.sessionId, { question, query: plan.query, answer, decoder: ctx.decoder.name, evidence: cited });
  return { turn, evidence: selection.evidence };
}

/**
 * The clips right after (or before) the anchor in its video, cut to the part outside it, scored
 * against the query so the decoder can tell how well each still fits the conversation.
 */
async function adjacentMoments(ctx: ChatContext, query: string, anchor: CitedMoment, direction: Direction): Promise<Evidence[]> {
  const clips = ctx.store.clipsOf(anchor.videoId);
  const adjacent =
    direction === 'after'
      ? clips.filter((c) => c.end >= anchor.end + MIN_OUTSIDE_SEC).slice(0, CONTINUATION_CLIPS)
      : clips.filter((c) => c.start <= anchor.start - MIN_OUTSIDE_SEC).slice(-CONTINUATION_CLIPS);
  if (adjacent.length === 0) return [];
  const [vector] = await ctx.text.encodeTexts([query]);
  const stored = ctx.store.clipsById(adjacent.map((c) => c.id));
  return adjacent.flatMap((c) => {
    const clip = stored.get(c.id);
    const indicator = ctx.store.clipMemory(c.id)?.indicator;
    if (!clip || !indicator) return [];
    return [{
      videoId: clip.videoId,
      videoPath: clip.videoPath,
      start: direction === 'after' ? Math.max(c.start, anchor.end) : c.start,
      end: direction === 'before' ? Math.min(c.end, anchor.start) : c.end,
      score: cosine(vector!, indicator),
      thumbnail: clip.thumbnail,
      text: [],
    }];
  });
}
