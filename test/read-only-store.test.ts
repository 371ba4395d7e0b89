/**
 * Stores this process cannot write: on read-only media, or in a folder whose files are immutable.
 * The commands that only read work, and say once that nothing is saved; the ones that write say
 * why they cannot. Root is not stopped by file permissions, so the tests use a read-only bind
 * mount and the immutable attribute, which stop root too.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { MemoryStore } from '../storage/memory-store.js';
import { tempDir, vidmem } from './helpers/cli.js';
import { mountReadOnly, setImmutable, unmount } from './helpers/mounts.js';

let dir: string;
let video: string;
let source: string;

beforeAll(async () => {
  dir = tempDir();
  video = join(dir, 'colours.mp4');
  source = join(dir, 'source');
  await renderSegments(video, [{ seconds: 4, layout: { full: 'red' } }, { seconds: 4, layout: { full: 'blue' } }], { motion: true });
  expect((await vidmem(['ingest', video, '--store', source, '--model', 'palette'])).code).toBe(0);
  expect((await vidmem(['chat', '--store', source], { input: 'When is it red?\n' })).code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file with its contents' hash. */
function tree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) files[join(e.parentPath, e.name)] = createHash('sha256').update(readFileSync(join(e.parentPath, e.name))).digest('hex');
  }
  return files;
}

/** Protections that stop root; each returns why it could not be set up, and undoes itself. */
const PROTECTIONS: Array<[string, string, (store: string) => string | null, (store: string) => void]> = [
  ['a read-only mount', 'read-only file system', mountReadOnly, unmount],
  ['an immutable folder', 'operation not permitted', (store) => setImmutable(store, true), (store) => setImmutable(store, false)],
];

describe('a store this process cannot write', () => {
  it.for(PROTECTIONS)('on %s is read by videos, search, ask and chat, which say once that nothing is saved; ingest is refused', async ([what, why, protect, undo], ctx) => {
    const store = join(dir, what.replace(/\W+/g, '-'));
    cpSync(source, store, { recursive: true });
    const before = tree(store);
    const failure = protect(store);
    ctx.skip(failure !== null, `cannot make a folder read-only for root here: ${failure}`);
    try {
      const notice = `vidmem: store ${store} cannot be written here (${why}): it is read as it is, and nothing is saved\n`;
      const videos = await vidmem(['videos', '--store', store, '--json']);
      expect(videos).toMatchObject({ code: 0, stderr: notice });
      expect(JSON.parse(videos.stdout).videos).toMatchObject([{ id: 1, clips: 2, status: 'complete' }]);
      const search = await vidmem(['search', 'blue', '--store', store, '--json']);
      expect(search).toMatchObject({ code: 0, stderr: notice });
      expect(JSON.parse(search.stdout).results[0]).toMatchObject({ videoId: 1, start: 4, end: 8 });
      const ask = await vidmem(['ask', 'When is it red?', '--store', store, '--json']);
      expect(ask).toMatchObject({ code: 0, stderr: notice });
      expect(JSON.parse(ask.stdout).evidence[0]).toMatchObject({ videoId: 1, start: 0, end: 4 });
      const sessions = await vidmem(['chat', '--list', '--store', store]);
      expect(sessions).toMatchObject({ code: 0, stderr: notice });
      expect(sessions.stdout).toContain('began with "When is it red?"');

      // A chat answers and follows up on its own turns, and keeps them in this process only.
      const chat = await vidmem(['chat', '--store', store], { input: 'When is it red?\nwhat happens next?\n' });
      expect(chat).toMatchObject({ code: 0, stderr: notice });
      expect(chat.stdout).toMatch(/^new chat about every video in the store\n/);
      expect(chat.stdout).toContain('[00:00–00:04]');
      expect(chat.stdout).toContain('[00:04–00:08]');
      expect(chat.stdout).not.toContain('saved');

      const refused = await vidmem(['ingest', video, '--model', 'palette', '--store', store]);
      expect(refused).toMatchObject({ code: 1, stderr: `vidmem: cannot write to store ${store}: ${why}; reading it still works\n` });
    } finally {
      undo(store);
    }
    expect(tree(store)).toEqual(before);
  });

  /** A store a writer has open, with three clips that only its -wal holds yet; the copy is made with `files`. */
  function copyWhileOpen(name: string, files: readonly string[]): { copy: string; id: number } {
    const open = join(dir, `${name}-open`);
    const clip = (index: number) => ({ index, start: index * 4, end: index * 4 + 4, indicator: new Float32Array(48).fill(index + 1), tokens: [], framesEncoded: 1, framesRepeat: 0 });
    const first = MemoryStore.open(open);
    first.bindModel({ name: 'palette', dim: 48, fingerprint: 'read-only-test' });
    const { id } = first.videos.begin({ path: '/cams/a.mp4', contentHash: 'a', durationSec: 12, fps: 25, width: 64, height: 48, settings: {} });
    // Closing the last connection moves the WAL into the database: the clips after it are the WAL's only.
    first.close();
    const writer = MemoryStore.open(open);
    for (let i = 0; i < 3; i++) writer.videos.appendClip(id, clip(i));
    const copy = join(dir, name);
    mkdirSync(copy);
    for (const file of files) cpSync(join(open, file), join(copy, file));
    writer.close();
    return { copy, id };
  }

  it('copied while a writer had it open, with its -wal and -shm, shows the clips only the WAL holds', async (ctx) => {
    const { copy, id } = copyWhileOpen('copy', ['vidmem.db', 'vidmem.db-wal', 'vidmem.db-shm']);
    const failure = mountReadOnly(copy);
    ctx.skip(failure !== null, `cannot make a folder read-only for root here: ${failure}`);
    try {
      const videos = await vidmem(['videos', '--store', copy, '--json']);
      expect(videos.code).toBe(0);
      expect(JSON.parse(videos.stdout).videos).toMatchObject([{ id, clips: 3, status: 'ingesting' }]);
    } finally {
      unmount(copy);
    }
  });

  it('copied with its -wal but not its -shm, shows what the database holds and says that the last writes cannot be read', async (ctx) => {
    const { copy, id } = copyWhileOpen('copy-without-shm', ['vidmem.db', 'vidmem.db-wal']);
    const failure = mountReadOnly(copy);
    ctx.skip(failure !== null, `cannot make a folder read-only for root here: ${failure}`);
    try {
      const videos = await vidmem(['videos', '--store', copy, '--json']);
      expect(JSON.parse(videos.stdout).videos).toMatchObject([{ id, clips: 0, status: 'ingesting' }]);
      expect(videos).toMatchObject({
        code: 0,
        stderr:
          `vidmem: store ${copy} cannot be written here (read-only file system): it is read as it is, and nothing is saved; ` +
          'its last writes, in vidmem.db-wal without vidmem.db-shm, cannot be read here (copy the store somewhere writable to see them)\n',
      });
    } finally {
      unmount(copy);
    }
  });

  it('copied with its -wal but not its -shm before anything reached the database, is refused with what to do', async (ctx) => {
    const open = join(dir, 'unsettled-open');
    const writer = MemoryStore.open(open);
    const copy = join(dir, 'unsettled');
    mkdirSync(copy);
    for (const file of ['vidmem.db', 'vidmem.db-wal']) cpSync(join(open, file), join(copy, file));
    writer.close();
    const failure = mountReadOnly(copy);
    ctx.skip(failure !== null, `cannot make a folder read-only for root here: ${failure}`);
    try {
      expect(await vidmem(['videos', '--store', copy])).toMatchObject({
        code: 1,
        stderr: `vidmem: store ${copy} holds all it has in vidmem.db-wal, which cannot be read without vidmem.db-shm where the store cannot be written; copy the store somewhere writable\n`,
      });
    } finally {
      unmount(copy);
    }
  });
});
