/** Chat sessions and their turns, each turn with the moments it cited. */
import { isSpan } from './checks.js';
import type { ChatRepository, ChatSessionRecord, ChatTurnRecord, NewChatTurn } from './repositories/chat.js';
import type { VideosRepository } from './repositories/videos.js';
import { StoreError, type StoreFailures } from './store-errors.js';

export class ChatLog {
  constructor(
    private readonly dir: string,
    private readonly readonly: boolean,
    private readonly chat: ChatRepository,
    private readonly videos: VideosRepository,
    private readonly failures: StoreFailures,
  ) {}


  session(id: number): ChatSessionRecord | undefined {
    return this.failures.guard(() => this.chat.session(id));
  }

  /** Every session, the most recently used first. */
  sessions(): ChatSessionRecord[] {
    return this.failures.guard(() => this.chat.sessions());
  }

  /** A session's turns, oldest first: all of them, or the latest `last`. */
  turns(sessionId: number, last?: number): ChatTurnRecord[] {
    return this.failures.guard(() => this.chat.lastTurns(sessionId, last ?? -1));
  }

  /**
   * Records a completed turn with the moments it cited, in one transaction: in a session, or as
   * the first turn of a new one (about one video, or every video when `videoId` is null).
   */
  addTurn(session: number | { readonly videoId: number | null }, turn: NewChatTurn): ChatTurnRecord {
    return this.failures.guard(() => {
      this.assertWritable();
      turn.evidence.forEach((e, k) => {
        if (!isSpan(e.start, e.end) || !Number.isFinite(e.score)) {
          throw new StoreError(`chat turn: cited moment ${k} has a bad time span ${e.start}–${e.end} or score ${e.score}`);
        }
      });
      if (typeof session === 'number') {
        if (!this.chat.session(session)) throw new StoreError(`store ${this.dir} has no chat session #${session}`);
        return this.chat.addTurn(session, turn);
      }
      if (session.videoId !== null && !this.videos.byId(session.videoId)) throw new StoreError(`store ${this.dir} has no video #${session.videoId}`);
      return this.chat.addFirstTurn(session.videoId, turn);
    });
  }

  private assertWritable(): void {
    if (this.readonly) throw new StoreError(`store ${this.dir} is open read-only`);
  }
}
