/**
 * Talking to the server. A token given in the page's address (`#token=…`, never sent to a server
 * by the browser) goes with every request; media and pictures carry it in their URL, since a
 * <video> or <img> cannot set a header.
 */
import { readEvents, type StreamEvent } from './sse.js';

const token = new URLSearchParams(location.hash.slice(1)).get('token');

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return token === null ? extra : { ...extra, authorization: `Bearer ${token}` };
}

export function withToken(url: string): string {
  return token === null ? url : `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}

async function failure(response: Response): Promise<Error> {
  const body = (await response.json().catch(() => null)) as { error?: string } | null;
  return new Error(body?.error ?? `${response.status} ${response.statusText}`);
}

export async function getJson<T>(path: string): Promise<T> {
  return sendJson<T>('GET', path);
}

/** A request whose answer is one JSON object; a 4xx or 5xx becomes an Error with the server's one line. */
export async function sendJson<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** The server-sent events of a GET (a job followed to its end). */
export async function* getEvents(path: string): AsyncGenerator<StreamEvent> {
  const response = await fetch(path, { headers: headers({ accept: 'text/event-stream' }) });
  if (!response.ok || response.body === null) throw await failure(response);
  yield* readEvents(response.body);
}

/** POSTs `body` and yields the server-sent events of the answer; EventSource cannot POST. */
export async function* postEvents(path: string, body: unknown): AsyncGenerator<StreamEvent> {
  const response = await fetch(path, {
    method: 'POST',
    headers: headers({ 'content-type': 'application/json', accept: 'text/event-stream' }),
    body: JSON.stringify(body),
  });
  if (!response.ok || response.body === null) throw await failure(response);
  yield* readEvents(response.body);
}
