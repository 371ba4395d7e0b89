/**
 * The pictures and video behind the moments, with range requests so that a player can seek. Only
 * files the store names are served: a video's own registered file, the store's keyframes, event
 * snapshots and snippets, cuts of its recordings. Nothing a request spells as a path is opened, and a keyframe that leads out of
 * the store (a symlink) is not followed.
 */
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { LIMITS } from '../../core/config.js';
import { NotFoundError } from '../../core/errors.js';
import { ErrorReply, IdParams, NameParams } from '../schemas.js';
import type { Routes } from '../context.js';

/** A name send() may decode without changing it: it decodes every path it is given. */
const asIs = (name: string) => encodeURIComponent(name);

function inside(folder: string, file: string): boolean {
  try {
    return realpathSync(file).startsWith(realpathSync(folder) + sep);
  } catch {
    return false;
  }
}

/** A file of one of the store's folders (keyframes, snapshots, snippets), never one that leads out of it; `what` names it in a 404. */
function sendStoreFile(reply: FastifyReply, folder: string, file: string, what: string): FastifyReply {
  if (!inside(folder, join(folder, file))) throw new NotFoundError(`no ${what} ${file}`);
  return reply.header('cache-control', 'private, max-age=3600').sendFile(file, folder);
}

export const mediaRoutes: Routes = async (server, { app }) => {
  server.get('/api/thumbnails/:videoId/:file', {
    schema: {
      tags: ['media'], summary: "a clip's keyframe (JPEG)",
      params: Type.Object({ videoId: Type.Integer({ minimum: 1 }), file: Type.String({ pattern: '^[0-9]{1,9}\\.jpg$' }) }),
      response: { 404: ErrorReply },
    },
  }, async (request, reply) => {
    return sendStoreFile(reply, join(app.storeDir, 'thumbs'), `${request.params.videoId}/${request.params.file}`, 'keyframe');
  });

  server.get('/api/snapshots/:file', {
    schema: {
      tags: ['media'], summary: "an event's snapshot: the frame an object rule's boxes were counted in, drawn on it (JPEG)",
      params: Type.Object({ file: Type.String({ pattern: '^[0-9]{1,12}-[0-9]{1,12}\\.jpg$' }) }),
      response: { 404: ErrorReply },
    },
  }, async (request, reply) => {
    return sendStoreFile(reply, join(app.storeDir, 'snapshots'), request.params.file, 'snapshot');
  });

  server.get('/api/snippets/:file', {
    schema: {
      tags: ['media'], summary: "an event's snippet: the recording of its live source around the moment it began (MP4, with range requests)",
      params: Type.Object({ file: Type.String({ pattern: '^[0-9]{1,12}\\.mp4$' }) }),
      response: { 404: ErrorReply },
    },
  }, async (request, reply) => {
    return sendStoreFile(reply, join(app.storeDir, 'snippets'), request.params.file, 'snippet');
  });

  server.get('/api/videos/:id/media', {
    schema: { tags: ['media'], summary: "a video's file, with range requests (a live source's segment has none: cut its recordings with /api/sources/{name}/clip)", params: IdParams, response: { 404: ErrorReply } },
  }, async (request, reply) => {
    // Asked again for every range a player seeks to: one lookup, not the library's listing.
    const video = app.video(request.params.id);
    if (!video) throw new NotFoundError(`store ${app.storeDir} has no video ${request.params.id}`);
    const source = app.sourceOf(video.id);
    if (source !== null) throw new NotFoundError(`video ${video.id} is a segment of live source '${source}': its recordings are cut at /api/sources/${source}/clip`);
    if (!existsSync(video.path) || !statSync(video.path).isFile()) throw new NotFoundError(`the file of video ${video.id} is no longer at ${video.path}`);
    return reply.sendFile(asIs(basename(video.path)), dirname(video.path), { dotfiles: 'allow' });
  });

  server.get('/api/sources/:name/clip', {
    schema: {
      tags: ['media'], summary: "an MP4 cut out of a live source's recordings, copied without re-encoding",
      params: NameParams,
      querystring: Type.Object({
        at: Type.String({ format: 'date-time', description: 'where the cut begins (ISO 8601)' }),
        seconds: Type.Number({ minimum: LIMITS.cutSeconds.min, maximum: LIMITS.cutSeconds.max }),
      }),
      response: { 400: ErrorReply, 404: ErrorReply },
    },
  }, async (request, reply) => {
    const folder = mkdtempSync(join(tmpdir(), 'vidmem-clip-'));
    const output = join(folder, 'clip.mp4');
    const remove = () => rmSync(folder, { recursive: true, force: true });
    try {
      await app.cutRecording(request.params.name, Date.parse(request.query.at) / 1000, request.query.seconds, output);
    } catch (err) {
      remove();
      throw err;
    }
    reply.raw.once('close', remove);
    return reply.header('content-disposition', `inline; filename="${request.params.name}.mp4"`).sendFile('clip.mp4', folder);
  });
};
