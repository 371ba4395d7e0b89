import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Vidmem } from '../../pipelines/vidmem.js';
import type { BackgroundWork } from './background-work.js';
import { Presenter } from './present.js';

/** What every route is given: the application, the work running beside the requests. */
export interface ServerContext {
  readonly app: Vidmem;
  readonly work: BackgroundWork;
}

export type Routes = FastifyPluginAsyncTypebox<ServerContext>;

/** A presenter of one request: a moment's video is looked up once, as it is now (a watch in any process adds segments). */
export function presenter(app: Vidmem): Presenter {
  const sources = new Map<number, string | null>();
  return new Presenter(app.storeDir, (videoId) => {
    if (!sources.has(videoId)) sources.set(videoId, app.sourceOf(videoId));
    return sources.get(videoId)!;
  });
}
