/**
 * Errors as HTTP answers: a request the server cannot act on is a 4xx naming what was wrong, in
 * the same one line the command line prints; only a bug is a 500, and it never stops the server.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, UserError } from '../core/errors.js';

export function answerError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof NotFoundError) {
    void reply.code(404).send({ error: error.message });
    return;
  }
  if (error instanceof UserError) {
    void reply.code(400).send({ error: error.message });
    return;
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own: a body that is not JSON, too large, or fails its schema ("body/question must be string").
    void reply.code(status).send({ error: error.message });
    return;
  }
  request.log.error({ err: error }, 'internal error');
  void reply.code(500).send({ error: `internal error: ${error.message}` });
}

export function answerNotFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
}
