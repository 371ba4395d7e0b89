/**
 * Who may talk to the server. Without a token it answers only requests addressed to this machine
 * by name (127.0.0.1, localhost, [::1]): a web page elsewhere cannot reach it through a DNS name
 * that resolves here (DNS rebinding). With a token every request but the page's own files must
 * carry it: `Authorization: Bearer …`, or `?access_token=…` where a browser cannot set a header
 * (a <video> or <img> source, an EventSource).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether an address to listen on keeps the server to this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

function hostName(header: string | undefined): string {
  if (!header) return '';
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]!;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function presented(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.access_token === 'string' ? query.access_token : undefined;
}

export interface AccessRules {
  readonly token?: string;
  /** Paths anyone may fetch: the page's own files, which hold no data. */
  readonly open: (url: string) => boolean;
}

export function checkAccess(rules: AccessRules) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (rules.token === undefined) {
      if (!isLoopback(hostName(request.headers.host))) {
        await reply.code(403).send({ error: `requests must be addressed to 127.0.0.1 or localhost, not '${request.headers.host ?? ''}' (start vidmem serve with --token to serve other names)` });
      }
      return;
    }
    if (rules.open(request.url.split('?')[0]!)) return;
    const given = presented(request);
    if (given === undefined || !sameToken(given, rules.token)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="vidmem"')
        .send({ error: given === undefined ? 'this server wants its token: send Authorization: Bearer <token>' : 'wrong token' });
    }
  };
}
