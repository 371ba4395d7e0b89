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

/** A presenter over the videos as they are now: a watch in this or another process adds segments. */
export function presenter(app: Vidmem): Presenter {
  return new Presenter(app.storeDir, new Map(app.videos().map((v) => [v.id, v])));
}
