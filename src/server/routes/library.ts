/** The store's contents: health, videos, live sources, and watching them from here. */
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../core/errors.js';
import { parseZones } from '../../core/zones.js';
import { ErrorReply, IdParams, NameParams, Source, Video, WatchBody } from '../schemas.js';
import { presentSource, presentVideo } from '../present.js';
import type { Routes } from '../context.js';

export const libraryRoutes: Routes = async (server, { app, work }) => {
  server.get('/health', {
    schema: {
      tags: ['store'], summary: 'whether the server is up, and what store it serves',
      response: { 200: Type.Object({ status: Type.Literal('ok'), store: Type.String(), videos: Type.Integer(), model: Type.Union([Type.String(), Type.Null()]), saves: Type.Boolean() }) },
    },
  }, async () => ({ status: 'ok' as const, store: app.storeDir, videos: app.videoCount(), model: app.model()?.name ?? null, saves: app.saves }));

  server.get('/api/videos', {
    schema: { tags: ['videos'], summary: 'the stored videos, with how far each got', response: { 200: Type.Object({ videos: Type.Array(Video) }) } },
  }, async () => ({ videos: app.videos().map(presentVideo) }));

  server.get('/api/videos/:id', {
    schema: { tags: ['videos'], summary: 'one video', params: IdParams, response: { 200: Video, 404: ErrorReply } },
  }, async (request) => {
    const video = app.videoListing(request.params.id);
    if (!video) throw new NotFoundError(`store ${app.storeDir} has no video ${request.params.id}`);
    return presentVideo(video);
  });

  server.delete('/api/videos/:id', {
    schema: {
      tags: ['videos'], summary: "remove a video with its clips, memories, texts, keyframes and chat sessions (a live source's recordings stay)", params: IdParams,
      response: { 200: Type.Object({ id: Type.Integer(), clips: Type.Integer({ description: 'clips removed' }) }), 400: ErrorReply, 404: ErrorReply, 409: ErrorReply },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const job = work.ingestOf(app.video(id)?.path ?? '');
    if (job) return reply.code(409).send({ error: `video ${id} is being ingested by job ${job.id}: cancel it first (DELETE /api/jobs/${job.id})` });
    return { id, clips: app.deleteVideo(id).clips };
  });

  server.get('/api/sources', {
    schema: { tags: ['sources'], summary: 'live sources: the time they cover, their gaps, whether this server watches them', response: { 200: Type.Object({ sources: Type.Array(Source) }) } },
  }, async () => {
    const stored = app.sources();
    const watchedOnly = work.watchedNames().filter((name) => !stored.some((s) => s.name === name));
    return {
      sources: [
        ...stored.map((s) => presentSource(s, work.watching(s.name))),
        // Watched but not connected yet: no row until its first segment.
        ...watchedOnly.map((name) => ({ id: 0, name, url: work.watchedUrl(name)!, segments: 0, clips: 0, from: null, until: null, gaps: [], ...work.watching(name) })),
      ],
    };
  });

  server.get('/api/sources/:name', {
    schema: { tags: ['sources'], summary: 'one live source: the time it covers, its gaps, whether this server watches it', params: NameParams, response: { 200: Source, 404: ErrorReply } },
  }, async (request) => {
    const { name } = request.params;
    const source = app.source(name);
    if (!source) throw new NotFoundError(`store ${app.storeDir} has no source '${name}'`);
    return presentSource(source, work.watching(name));
  });

  server.delete('/api/sources/:name', {
    schema: {
      tags: ['sources'], summary: 'remove a live source with its segments, clips, memories, keyframes, gaps and recordings', params: NameParams,
      response: { 200: Type.Object({ name: Type.String(), clips: Type.Integer({ description: 'clips removed' }) }), 400: ErrorReply, 404: ErrorReply, 409: ErrorReply },
    },
  }, async (request, reply) => {
    const { name } = request.params;
    if (work.watching(name).watching) return reply.code(409).send({ error: `source '${name}' is being watched by this server: stop it first (DELETE /api/sources/${encodeURIComponent(name)}/watch)` });
    return app.deleteSource(name);
  });

  server.post('/api/sources', {
    schema: {
      tags: ['sources'], summary: 'watch a live source from this server until told to stop', body: WatchBody,
      response: { 202: Type.Object({ name: Type.String(), watching: Type.Boolean() }), 400: ErrorReply },
    },
  }, async (request, reply) => {
    const { liveSource } = await import('../../../pipelines/live-source.js');
    const { name, url, realtime, record, detect, detectFps, zones } = request.body;
    work.watch(liveSource(name, url, realtime ?? false), {
      record: record ?? true, zones: parseZones(zones ?? []), ...(detect !== undefined ? { detect } : {}), ...(detectFps !== undefined ? { detectFps } : {}),
    });
    return reply.code(202).send({ name, watching: true });
  });

  server.delete('/api/sources/:name/watch', {
    schema: { tags: ['sources'], summary: 'stop watching a source: its open clips are committed first', params: NameParams, response: { 200: Type.Object({ name: Type.String(), watching: Type.Boolean() }), 404: ErrorReply } },
  }, async (request) => {
    await work.stopWatching(request.params.name);
    return { name: request.params.name, watching: false };
  });

};
