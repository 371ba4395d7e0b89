/**
 * `vidmem serve`: the HTTP API over one application object, its OpenAPI description made from the
 * same schemas that validate requests, and the web page. Routes are thin: every answer is a call
 * the command line makes too.
 */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { VERSION } from '../core/version.js';
import type { Vidmem } from '../../pipelines/vidmem.js';
import { checkAccess } from './access.js';
import { BackgroundWork } from './background-work.js';
import type { ServerContext } from './context.js';
import { answerError, answerNotFound } from './errors.js';
import { chatRoutes } from './routes/chat.js';
import { jobRoutes } from './routes/jobs.js';
import { libraryRoutes } from './routes/library.js';
import { mediaRoutes } from './routes/media.js';
import { questionRoutes } from './routes/questions.js';
import { alertRoutes } from './routes/alerts.js';

export interface ServerOptions {
  /** Asked of every request but the page's files; required to listen beyond this machine. */
  readonly token?: string;
  /** The built web page, served at `/` when present. */
  readonly pageDir?: string;
  /** Where the server's own errors go (a bug's stack, a watch that ended). */
  readonly onError?: (message: string) => void;
}

/** Bodies are questions and paths: a megabyte is a mistake or an attack. */
const BODY_LIMIT = 256 * 1024;

export interface VidmemServer {
  readonly http: FastifyInstance;
  /** Stops the background work (watched sources commit their open clips), then the server. */
  close(): Promise<void>;
}

export async function createServer(app: Vidmem, options: ServerOptions = {}): Promise<VidmemServer> {
  const onError = options.onError ?? ((message: string) => process.stderr.write(`vidmem: ${message}\n`));
  const http = Fastify({
    bodyLimit: BODY_LIMIT,
    // Error replies say what was wrong; the server's log is for its own failures.
    logger: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const pageDir = options.pageDir !== undefined && existsSync(options.pageDir) ? options.pageDir : undefined;

  http.setErrorHandler(answerError);
  http.setNotFoundHandler(answerNotFound);
  http.addHook('onRequest', checkAccess({ ...(options.token !== undefined ? { token: options.token } : {}), open: (path) => !path.startsWith('/api/') && path !== '/openapi.json' && path !== '/health' }));

  await http.register(swagger, {
    openapi: {
      info: { title: 'vidmem', version: VERSION, description: 'Long-video memory: search moments, ask questions, chat, ingest files and watch live sources.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(options.token !== undefined ? { security: [{ bearer: [] }] } : {}),
    },
  });
  // The page's files at `/`; without a page, sendFile still serves keyframes and videos.
  await http.register(fastifyStatic, { root: pageDir ?? app.storeDir, serve: pageDir !== undefined, wildcard: false, index: 'index.html' });

  const work = new BackgroundWork(app, onError);
  const context: ServerContext = { app, work };
  await http.register(libraryRoutes, context);
  await http.register(questionRoutes, context);
  await http.register(alertRoutes, context);
  await http.register(chatRoutes, context);
  await http.register(jobRoutes, context);
  await http.register(mediaRoutes, context);
  http.get('/openapi.json', { schema: { hide: true } }, async () => http.swagger());
  if (!pageDir) http.get('/', { schema: { hide: true } }, async () => ({ vidmem: VERSION, api: '/openapi.json', page: 'not built: run npm install (or npm run build) in the vidmem folder' }));

  return {
    http,
    async close() {
      await work.close();
      await http.close();
    },
  };
}
