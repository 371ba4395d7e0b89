/** Files ingested by the server, as jobs a client starts and follows. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { map } from 'rxjs';
import { UserError } from '../../core/errors.js';
import { parseZones } from '../../core/zones.js';
import { ErrorReply, IdParams, IngestBody, Job } from '../schemas.js';
import type { Routes } from '../context.js';
import { sendEvents, wantsEvents } from '../event-stream.js';

export const jobRoutes: Routes = async (server, { work }) => {
  server.post('/api/ingest', {
    schema: {
      tags: ['jobs'], summary: 'ingest a video file on the server\'s machine, as a job (resumes a file whose ingest was cut short)', body: IngestBody,
      response: { 202: Job, 400: ErrorReply },
    },
  }, async (request, reply) => {
    const { path, preset, ocr, detect, detectFps, zones } = request.body;
    const file = resolve(path);
    if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`body/path: no file at ${file}`);
    const job = work.ingest(file, {
      ...(preset ? { preset } : {}), ...(ocr !== undefined ? { ocr } : {}), ...(detect !== undefined ? { detect } : {}),
      ...(detectFps !== undefined ? { detectFps } : {}), zones: parseZones(zones ?? []),
    });
    return reply.code(202).header('location', `/api/jobs/${job.id}`).send(job);
  });

  server.get('/api/jobs', {
    schema: { tags: ['jobs'], summary: 'the jobs of this server run, oldest first', response: { 200: Type.Object({ jobs: Type.Array(Job) }) } },
  }, async () => ({ jobs: work.list() }));

  server.get('/api/jobs/:id', {
    schema: {
      tags: ['jobs'], summary: 'a job; with Accept: text/event-stream its state at every change (`job` events) until it ends',
      params: IdParams, response: { 200: Job, 404: ErrorReply },
    },
  }, async (request, reply) => {
    const job = work.job(request.params.id);
    if (!wantsEvents(request.headers.accept)) return job;
    sendEvents(reply, work.follow(job.id).pipe(map((data) => ({ event: 'job', data }))));
    return reply;
  });

  server.delete('/api/jobs/:id', {
    schema: { tags: ['jobs'], summary: 'stop a job; what it stored stays, and ingesting the file again resumes it', params: IdParams, response: { 200: Job, 404: ErrorReply } },
  }, async (request) => work.cancel(request.params.id));
};
