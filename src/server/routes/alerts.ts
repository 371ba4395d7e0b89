/** Standing questions and the events they raised: the same calls as `vidmem alerts` and `vidmem events`. */
import { Type } from '@sinclair/typebox';
import { map } from 'rxjs';
import { LIMITS } from '../../core/config.js';
import { alertRuleJson } from '../../../pipelines/alert-payload.js';
import { MAX_EXAMPLES } from '../../../pipelines/alert-conditions.js';
import { ErrorReply, IdParams } from '../schemas.js';
import { presenter, type Routes } from '../context.js';
import { sendEvents, wantsEvents } from '../event-stream.js';

const NewAlert = Type.Object({
  text: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.questionChars.max, description: 'a text rule: e.g. "a red car", scored against its source\'s usual' })),
  images: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), {
    minItems: 1, maxItems: MAX_EXAMPLES, description: "an image rule: example pictures, files on the server's machine, scored against their source's usual",
  })),
  object: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'an object rule: a COCO label or a word for one (someone, vehicle)' })),
  confirm: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'text and image rules: raised only where the object detector also sees this' })),
  sigma: Type.Optional(Type.Number({ minimum: LIMITS.sigma.min, maximum: LIMITS.sigma.max })),
  minCount: Type.Optional(Type.Integer({ minimum: LIMITS.minCount.min, maximum: LIMITS.minCount.max })),
  minSeconds: Type.Optional(Type.Number({ minimum: LIMITS.minSeconds.min, maximum: LIMITS.minSeconds.max })),
  zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'an object rule: only what stands in this zone of the source counts' })),
  cooldownSec: Type.Optional(Type.Number({ minimum: LIMITS.cooldownSec.min, maximum: LIMITS.cooldownSec.max })),
  source: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

/** A rule or an event as `--json` gives it; their shapes are documented with the command line's. */
const Shown = Type.Record(Type.String(), Type.Unknown());

export const alertRoutes: Routes = async (server, { app, work }) => {
  server.get('/api/alerts', {
    schema: { tags: ['alerts'], summary: "the store's standing questions, checked on every clip watch and ingest store", response: { 200: Type.Object({ rules: Type.Array(Shown) }) } },
  }, async () => ({ rules: app.alertRules().map(alertRuleJson) }));

  server.post('/api/alerts', {
    schema: { tags: ['alerts'], summary: 'add a standing question: a text, image or object rule', body: NewAlert, response: { 201: Shown, 400: ErrorReply } },
  }, async (request, reply) => reply.code(201).send(alertRuleJson(await app.addAlertRule(request.body))));

  server.delete('/api/alerts/:id', {
    schema: { tags: ['alerts'], summary: 'remove a standing question; the events it raised stay', params: IdParams, response: { 200: Shown, 404: ErrorReply } },
  }, async (request) => alertRuleJson(app.removeAlertRule(request.params.id)));

  server.get('/api/events', {
    schema: {
      tags: ['alerts'],
      summary: "the events the standing questions raised, newest first, each with its keyframe (and an object rule's with its snapshot, the counted boxes drawn); with Accept: text/event-stream each new one as it is raised " +
        '(`alert` events with ids, from after `after` or Last-Event-ID, else from now), by this server or any process watching into the store',
      querystring: Type.Object({
        rule: Type.Optional(Type.Integer({ minimum: 1 })),
        last: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
        after: Type.Optional(Type.Integer({ minimum: 0, description: 'with an event stream: the id of the last event already seen' })),
      }),
      headers: Type.Object({ 'last-event-id': Type.Optional(Type.Integer({ minimum: 0 })) }),
      response: { 200: Type.Object({ events: Type.Array(Shown) }), 404: ErrorReply },
    },
  }, async (request, reply) => {
    const { rule, last, after } = request.query;
    const ruleId = rule !== undefined ? { ruleId: rule } : {};
    const present = presenter(app);
    if (wantsEvents(request.headers.accept)) {
      const afterId = after ?? request.headers['last-event-id'];
      const events$ = app.followAlertEvents({ ...ruleId, ...(afterId !== undefined ? { afterId } : {}) });
      sendEvents(reply, work.untilClosed(events$).pipe(map((e) => ({ event: 'alert', id: e.id, data: present.event(e) }))), { openAtOnce: true });
      return reply;
    }
    return { events: app.alertEvents({ ...ruleId, ...(last !== undefined ? { limit: last } : {}) }).map((e) => present.event(e)) };
  });
};
