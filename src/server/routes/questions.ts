/** Finding moments and answering questions: the same calls `vidmem search` and `vidmem ask` make. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { concat, defer, lastValueFrom, map, type Observable, of, toArray } from 'rxjs';
import { timeWindow, type TimeWindow } from '../../core/moments.js';
import { selectionJson } from '../../../pipelines/selection-json.js';
import type { AnswerEvent } from '../../../pipelines/answer-question.js';
import { Answer, AskBody, ErrorReply, Moment, SearchQuery } from '../schemas.js';
import { presenter, type Routes } from '../context.js';
import { sendEvents, wantsEvents, type ServerEvent } from '../event-stream.js';
import type { Presenter } from '../present.js';

interface Scope {
  readonly since?: number;
  readonly from?: string;
  readonly to?: string;
}

function within(scope: Scope): TimeWindow | undefined {
  const seconds = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso) / 1000);
  return timeWindow({ since: scope.since, from: seconds(scope.from), to: seconds(scope.to) });
}

/**
 * An answer as events: `selection` (the evidence, before the decoder says anything), `text` for
 * each piece of the answer as it streams, `done` with the whole answer.
 */
export function answerEvents(events$: Observable<AnswerEvent>, present: Presenter, explain: boolean): Observable<ServerEvent> {
  let answer = '';
  const toEvent = (event: AnswerEvent): ServerEvent => {
    if (event.type === 'text') {
      answer += event.text;
      return { event: 'text', data: { text: event.text } };
    }
    const { selection, evidence } = event;
    return {
      event: 'selection',
      data: { evidence: evidence.map((e) => present.moment(e)), selected: selection.selected.length, tokensUsed: selection.tokensUsed, budget: selection.budget, ...(explain ? { explain: selectionJson(selection) } : {}) },
    };
  };
  return concat(events$.pipe(map(toEvent)), defer(() => of<ServerEvent>({ event: 'done', data: { answer } })));
}

/** Streamed when the client asks for events; else one JSON object: the selection's fields and the `done` event's. */
export async function answerReply<T>(events$: Observable<ServerEvent>, accept: string | undefined, reply: FastifyReply): Promise<T | undefined> {
  if (wantsEvents(accept)) {
    sendEvents(reply, events$);
    return undefined;
  }
  const all = await lastValueFrom(events$.pipe(toArray()));
  return { ...(all.find((e) => e.event === 'selection')!.data as object), ...(all.at(-1)!.data as object) } as T;
}

export const questionRoutes: Routes = async (server, { app }) => {
  server.get('/api/search', {
    schema: { tags: ['questions'], summary: 'the moments that match a text, best first', querystring: SearchQuery, response: { 200: Type.Object({ results: Type.Array(Moment) }), 400: ErrorReply, 404: ErrorReply } },
  }, async (request) => {
    const { q, top, videoId } = request.query;
    const window = within(request.query);
    const moments = await app.search(q, { ...(top !== undefined ? { top } : {}), ...(videoId !== undefined ? { videoId } : {}), ...(window ? { within: window } : {}) });
    const present = presenter(app);
    return { results: moments.map((m) => present.moment(m)) };
  });

  server.post('/api/ask', {
    schema: {
      tags: ['questions'],
      summary: 'answer a question from the stored memories; with Accept: text/event-stream the answer streams as events (selection, text…, done)',
      body: AskBody, response: { 200: Answer, 400: ErrorReply, 404: ErrorReply },
    },
  }, async (request, reply) => {
    const { question, budget, videoId, explain } = request.body;
    const window = within(request.body);
    const events$ = answerEvents(
      app.ask(question, { ...(budget !== undefined ? { budget } : {}), ...(videoId !== undefined ? { videoId } : {}), ...(window ? { within: window } : {}) }),
      presenter(app),
      explain ?? false,
    );
    return answerReply<Static<typeof Answer>>(events$, request.headers.accept, reply);
  });
};
