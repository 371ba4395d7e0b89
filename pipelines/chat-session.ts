/**
 * One turn of a chat session: pick the turn's memories (the turns before it decide how, see
 * src/chat/follow-up.ts), stream the decoder's answer, and record the turn once it is complete.
 */
import { planTurn, type Direction } from '../src/chat/follow-up.js';
import type { ChatTurn, Decoder, Evidence } from '../src/decoders/decoder.js';
import type { TextEncoder } from '../src/encoders/encoder.js';
import { DEFAULT_SELECT, selectMemories } from '../src/selection/select-memories.js';
import { toEvidence } from '../src/selection/to-evidence.js';
import { cosine } from '../src/vector-math.js';
import type { ChatTurnRecord, CitedMoment, MemoryStore } from '../storage/memory-store.js';

/** Earlier turns the decoder sees: enough for "that" to mean something, few enough to leave an LLM room. */
const HISTORY_TURNS = 6;
/** A continuation covers this many clips after (or before) the anchor: the next stretch, not the rest of the video. */
const CONTINUATION_CLIPS = 4;
/** A clip that overlaps the anchor counts only for at least this much video outside it (seconds). */
const MIN_OUTSIDE_SEC = 0.5;

export interface ChatContext {
  readonly store: MemoryStore;
  /** The store's model's text side. */
  readonly text: TextEncoder;
  readonly decoder: Decoder;
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
  const [vector] = await ctx.text.encodeTexts([plan.query]);
  let selection: { evidence: Evidence[]; wholeVideo: boolean };
  if (plan.continuation) {
    selection = { evidence: adjacentMoments(ctx.store, vector!, plan.continuation.anchor, plan.continuation.direction), wholeVideo: false };
  } else {
    // Matched by the joined query; whether it asks about the whole video is the question's own affair.
    const selected = selectMemories(ctx.store, { text: question, vector: vector! }, { ...DEFAULT_SELECT, videoId: ctx.videoId });
    selection = { evidence: toEvidence(selected), wholeVideo: selected.kind === 'whole-video' };
  }
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
function adjacentMoments(store: MemoryStore, query: Float32Array, anchor: CitedMoment, direction: Direction): Evidence[] {
  const clips = store.clipsOf(anchor.videoId);
  const adjacent =
    direction === 'after'
      ? clips.filter((c) => c.end >= anchor.end + MIN_OUTSIDE_SEC).slice(0, CONTINUATION_CLIPS)
      : clips.filter((c) => c.start <= anchor.start - MIN_OUTSIDE_SEC).slice(-CONTINUATION_CLIPS);
  const stored = store.clipsById(adjacent.map((c) => c.id));
  return adjacent.flatMap((c) => {
    const clip = stored.get(c.id);
    const indicator = store.clipMemory(c.id)?.indicator;
    if (!clip || !indicator) return [];
    return [{
      videoId: clip.videoId,
      videoPath: clip.videoPath,
      start: direction === 'after' ? Math.max(c.start, anchor.end) : c.start,
      end: direction === 'before' ? Math.min(c.end, anchor.start) : c.end,
      score: cosine(query, indicator),
      thumbnail: clip.thumbnail,
      text: [],
    }];
  });
}
