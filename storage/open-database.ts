/**
 * Opening a store's database: the folder and file are checked before SQLite sees them (even a
 * failed open may write to a file), the schema is migrated, and a store written by an older
 * vidmem is recognised before anything else happens to it.
 */
import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type Database from 'better-sqlite3';
import { enableSqliteUris } from '../src/core/config.js';
import { migrate, schemaState } from './migrate.js';
import { asStoreError, StoreError } from './store-errors.js';

// Before better-sqlite3 loads: a store nobody may write is opened through a URI (see openSqlite).
enableSqliteUris();
/**
 * better-sqlite3 is CommonJS: required, it loads as is; imported from an ES module, Node would
 * first parse it for named exports, a cost every command pays at start-up.
 */
const SQLite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

export const DB_FILE = 'vidmem.db';
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const BUSY_TIMEOUT_MS = 5000;

export interface SchemaUpgrade {
  readonly from: number;
  readonly to: number;
}

/** The store's folder exists (made when `create`) and is a folder. */
export function prepareDir(root: string, create: boolean): void {
  let isDir: boolean;
  try {
    isDir = statSync(root).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw asStoreError(err, root);
    if (!create) throw new StoreError(`no store at ${root}; ingest a video first`);
    try {
      mkdirSync(root, { recursive: true });
    } catch (mkdirErr) {
      throw new StoreError(`cannot create store ${root}: ${(mkdirErr as Error).message}`);
    }
    return;
  }
  if (!isDir) throw new StoreError(`store ${root} is a file, not a store folder`);
}

const UNWRITABLE: Record<string, string> = { EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'operation not permitted' };

/** Why this process may not write the store in `root`, or null when it may. */
export function whyUnwritable(root: string): string | null {
  for (const path of [root, join(root, DB_FILE)]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      const { code, message } = err as NodeJS.ErrnoException;
      if (code !== 'ENOENT') return UNWRITABLE[code ?? ''] ?? message;
    }
  }
  return null;
}

/** SQLite is never handed a file that is not SQLite: even a failed open may write to it. */
export function checkDbFile(root: string, create: boolean): void {
  const dbPath = join(root, DB_FILE);
  let size: number;
  try {
    const st = statSync(dbPath);
    if (!st.isFile()) throw new StoreError(`store ${root} is not a vidmem store: ${DB_FILE} is not a file`);
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw asStoreError(err, root);
    if (!create) throw new StoreError(`no store at ${root}; ingest a video first`);
    return;
  }
  // An empty file is what SQLite itself leaves when it dies while creating a database.
  if (size === 0) return;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(dbPath, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw new StoreError(`store ${root} is not a vidmem store: file is not a database`);
}

function checkSchema(root: string, db: Database.Database, readonly: boolean, unreadWal: number): void {
  const { version, latest, hasTables } = schemaState(db);
  if (version > latest) {
    throw new StoreError(`store ${root} was written by a newer vidmem (schema ${version}, this one knows up to ${latest}); upgrade vidmem`);
  }
  if (version === 0 && hasTables) throw new StoreError(`store ${root} is not a vidmem store: ${DB_FILE} holds other tables`);
  if (readonly && version === 0 && unreadWal > 0) {
    throw new StoreError(`store ${root} holds all it has in ${DB_FILE}-wal, which cannot be read without ${DB_FILE}-shm where the store cannot be written; copy the store somewhere writable`);
  }
  if (readonly && version === 0) throw new StoreError(`no store at ${root}; ingest a video first`);
}

export interface Connection {
  readonly db: Database.Database;
  /** Set when the store was written by an older vidmem and was left as it is (see `upgrade`). */
  readonly pending: SchemaUpgrade | null;
  /** Bytes of writes in a -wal that could not be read: it lies on media nobody may write, without its -shm. */
  readonly unreadWal: number;
}

/**
 * The database, schema checked, and migrated when writable. A store written by an older vidmem
 * is migrated only when `upgrade` says so: upgrading one takes minutes for millions of clips,
 * so the caller first says that it will.
 */
export function connectDatabase(root: string, options: { readonly: boolean; create: boolean; upgrade: boolean }): Connection {
  let db: Database.Database;
  let unreadWal = 0;
  try {
    ({ db, unreadWal } = openSqlite(root, options));
  } catch (err) {
    throw asStoreError(err, root);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    checkSchema(root, db, options.readonly, unreadWal);
    const { version, latest } = schemaState(db);
    const pending = version > 0 && version < latest ? { from: version, to: latest } : null;
    if (pending && !options.upgrade) return { db, pending, unreadWal };
    if (!options.readonly) {
      enableWal(db);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    }
    return { db, pending: null, unreadWal };
  } catch (err) {
    db.close();
    throw asStoreError(err, root);
  }
}

/**
 * A new database is switched to WAL once. The switch needs the file to itself, and while another
 * process creating the same store holds a lock SQLite answers BUSY at once instead of waiting, so
 * the switch is tried again for as long as a lock is waited for; by then the other has made it.
 */
function enableWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}

/**
 * SQLite reads a WAL database only with the -shm file beside it, which it makes when missing, so
 * a store on read-only media, or in a folder nobody may write, cannot even be read once its last
 * writer has closed it (and taken the -shm away). Nobody can be writing such a store, so it is
 * opened as immutable: read as it is, without locks or -shm — and without a -wal that a copy
 * made while a writer had it open left beside it, which only SQLite with a -shm can read.
 */
function openSqlite(root: string, options: { readonly: boolean; create: boolean }): { db: Database.Database; unreadWal: number } {
  const file = join(root, DB_FILE);
  const db = new SQLite(file, { readonly: options.readonly, fileMustExist: !options.create });
  if (!options.readonly || whyUnwritable(root) === null) return { db, unreadWal: 0 };
  try {
    db.pragma('schema_version');
    return { db, unreadWal: 0 };
  } catch (err) {
    db.close();
    if ((err as { code?: unknown }).code !== 'SQLITE_CANTOPEN') throw err;
  }
  const immutable = new SQLite(`${pathToFileURL(file).href}?immutable=1`, { readonly: true, fileMustExist: true });
  return { db: immutable, unreadWal: fileSize(`${file}-wal`) };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * A migration that moves rows to a new table leaves the old one's pages free inside the file
 * (the 003 upgrade: 40% of it). They are given back once, during the upgrade. Best effort: on
 * a full disk VACUUM fails and changes nothing, and the pages are reused by later ingests.
 */
export function reclaimFreePages(db: Database.Database): void {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  if (free <= pages / 4) return;
  try {
    db.exec('VACUUM');
  } catch {
    // Nothing was changed; see above.
  }
}
