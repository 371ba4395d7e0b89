/**
 * Chat sessions. A session is made by its first turn (POST /api/chats); its id comes with the
 * `done` event. Every turn streams as an `ask` does when the client asks for events.
 */
import { type Static, Type } from '@sinclair/typebox';
import { ignoreElements, map, merge, type Observable, partition, share, tap } from 'rxjs';
import type { ChatEvent } from '../../../pipelines/chat-turn.js';
import type { AnswerEvent } from '../../../pipelines/answer-question.js';
import { NotFoundError } from '../../core/errors.js';
import { Answer, ChatQuestion, ChatSession, ChatTurn, ErrorReply, IdParams, NewChat } from '../schemas.js';
import { presenter, type Routes } from '../context.js';
import type { ServerEvent } from '../event-stream.js';
import { answerEvents, answerReply } from './questions.js';
import type { Presenter } from '../present.js';

const ChatAnswer = Type.Composite([Answer, Type.Object({ session: Type.Integer(), turn: Type.Union([Type.Integer(), Type.Null()]) })]);

/** A turn's events as the API gives them: an answer's, then `done` with the session and turn ids (turn null when the store cannot keep it). */
function turnEvents(events$: Observable<ChatEvent>, present: Presenter, sessionId: number | undefined, explain: boolean): Observable<ServerEvent> {
  const shared$ = events$.pipe(share());
  const [answer$, kept$] = partition(shared$, (e): e is AnswerEvent => e.type === 'selection' || e.type === 'text');
  let ids = { session: sessionId ?? null, turn: null as number | null };
  // Recorded as the answer ends, before `done` is sent.
  const recorded$ = kept$.pipe(
    tap((e) => {
      if (e.type === 'recorded') ids = { session: e.turn.sessionId, turn: e.turn.id };
    }),
    ignoreElements(),
  );
  return merge(
    answerEvents(answer$, present, explain).pipe(map((e) => (e.event === 'done' ? { event: 'done', data: { ...(e.data as object), ...ids } } : e))),
    recorded$,
  );
}

export const chatRoutes: Routes = async (server, { app }) => {
  server.get('/api/chats', {
    schema: { tags: ['chat'], summary: 'chat sessions, most recently used first', response: { 200: Type.Object({ sessions: Type.Array(ChatSession) }) } },
  }, async () => ({ sessions: app.chatSessions() }));

  server.get('/api/chats/:id', {
    schema: { tags: ['chat'], summary: 'a session and its turns, oldest first', params: IdParams, response: { 200: Type.Object({ session: ChatSession, turns: Type.Array(ChatTurn) }), 404: ErrorReply } },
  }, async (request) => {
    const session = app.chatSession(request.params.id);
    if (!session) throw new NotFoundError(`store ${app.storeDir} has no chat session ${request.params.id}`);
    return { session, turns: app.chatTurns(session.id) };
  });

  server.post('/api/chats', {
    schema: { tags: ['chat'], summary: 'start a session with its first question (about one video, or all when videoId is absent or null)', body: NewChat, response: { 200: ChatAnswer, 400: ErrorReply, 404: ErrorReply } },
  }, async (request, res) => {
    const { question, videoId, explain } = request.body;
    const events$ = turnEvents(app.chatTurn({ videoId: videoId ?? null }, question), presenter(app), undefined, explain ?? false);
    return answerReply<Static<typeof ChatAnswer>>(events$, request.headers.accept, res);
  });

  server.post('/api/chats/:id/turns', {
    schema: { tags: ['chat'], summary: 'the next question of a session; follow-ups ("and after that?") build on its last answer', params: IdParams, body: ChatQuestion, response: { 200: ChatAnswer, 400: ErrorReply, 404: ErrorReply } },
  }, async (request, res) => {
    const { question, explain } = request.body;
    const events$ = turnEvents(app.chatTurn(request.params.id, question), presenter(app), request.params.id, explain ?? false);
    return answerReply<Static<typeof ChatAnswer>>(events$, request.headers.accept, res);
  });
};
