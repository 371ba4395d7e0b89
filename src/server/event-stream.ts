/**
 * An Observable sent as server-sent events. The client going away unsubscribes, which stops what
 * produces the events (a decoder's request, an ffmpeg); an error after the stream began is its
 * last event, since the status line is long gone.
 */
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import { NotFoundError, UserError } from '../core/errors.js';

export interface ServerEvent {
  readonly event: string;
  readonly data: unknown;
  /** Sent as the event's `id:`, which a reconnecting EventSource sends back as Last-Event-ID. */
  readonly id?: number;
}

/** Proxies close a stream that is silent for a minute; a comment line keeps it open while a slow model thinks. */
const KEEP_ALIVE_MS = 15_000;

export interface SendOptions {
  /**
   * Send the headers before the first event: for a stream that may be silent for hours (events as
   * they are raised), checked in full before it is sent, so that a client knows it is listening.
   */
  readonly openAtOnce?: boolean;
}

export function sendEvents(reply: FastifyReply, events$: Observable<ServerEvent>, options: SendOptions = {}): void {
  reply.hijack();
  const res = reply.raw;
  let keepAlive: NodeJS.Timeout | undefined;
  // Headers wait for the first event, so that a request refused at once (no such video) is a 4xx.
  const begin = () => {
    if (res.headersSent) return;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  };
  const write = ({ event, data, id }: ServerEvent) => {
    begin();
    res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const end = () => {
    clearInterval(keepAlive);
    begin();
    res.end();
  };
  if (options.openAtOnce) begin();
  const subscription = events$.subscribe({
    next: write,
    error: (err: unknown) => {
      const expected = err instanceof UserError;
      if (!expected) reply.log.error({ err }, 'internal error in an event stream');
      const message = err instanceof Error ? (expected ? err.message : `internal error: ${err.message}`) : String(err);
      if (!res.headersSent) {
        res.writeHead(err instanceof NotFoundError ? 404 : expected ? 400 : 500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: message }));
        return;
      }
      write({ event: 'error', data: { error: message } });
      end();
    },
    complete: end,
  });
  res.on('close', () => {
    clearInterval(keepAlive);
    subscription.unsubscribe();
  });
}

/** Whether the client asked for an event stream rather than one JSON answer. */
export function wantsEvents(accept: string | undefined): boolean {
  return accept?.includes('text/event-stream') ?? false;
}
