/**
 * Schema migrations: `storage/migrations/NNN-name.sql`, applied in order, with their data steps
 * (if any) and the bump of `PRAGMA user_version`, all in one transaction, so a crash leaves the
 * schema where it was or at the latest version, and another process never sees it in between.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { packMemoryTokens } from './migrations/003-memory-blobs.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface SchemaState {
  /** `user_version`: the last migration applied, 0 for a new database. */
  readonly version: number;
  /** The newest version this code knows. */
  readonly latest: number;
  /** Whether the database holds any table: a version-0 database with tables is someone else's. */
  readonly hasTables: boolean;
}

const FILE_NAME = /^(\d{3})-([a-z0-9-]+)\.sql$/;

/** Rewrites of existing rows that SQL alone cannot do, run right after their version's SQL. */
const DATA_STEPS: ReadonlyMap<number, (db: Database.Database) => void> = new Map([[3, packMemoryTokens]]);

/**
 * tsc does not copy .sql files: from source they sit next to this module, from the build
 * (dist/storage/migrate.js, whose migrations/ folder holds only the compiled data steps) they
 * are found back in the package's storage/ folder.
 */
function migrationsDir(): string {
  const candidates = [new URL('./migrations/', import.meta.url), new URL('../../storage/migrations/', import.meta.url)];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(`${dir}/001-initial.sql`)) return dir;
  }
  throw new Error(`vidmem is missing its schema migrations (looked in ${candidates.map((u) => fileURLToPath(u)).join(', ')})`);
}

let cached: readonly Migration[] | undefined;

function migrations(): readonly Migration[] {
  if (cached) return cached;
  const dir = migrationsDir();
  const found = readdirSync(dir)
    .map((file) => ({ file, match: FILE_NAME.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), name: match[2]!, sql: readFileSync(`${dir}/${file}`, 'utf8') }))
    .sort((a, b) => a.version - b.version);
  found.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`schema migrations must be numbered 001, 002, … without gaps; found ${String(m.version).padStart(3, '0')}-${m.name}.sql at position ${i + 1}`);
  });
  cached = found;
  return found;
}

export function schemaState(db: Database.Database): SchemaState {
  // One statement, one snapshot: read apart, another process creating the store could commit its
  // first migration in between, and a new store would look like someone else's database.
  const [version, tables] = db
    .prepare("SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master WHERE type = 'table')")
    .raw()
    .get() as [number, number];
  return { version, latest: migrations().length, hasTables: tables > 0 };
}

/** Applies every migration newer than the database's version. */
export function migrate(db: Database.Database): void {
  // IMMEDIATE takes the write lock before re-reading the version, so two processes opening a new
  // store at once apply each migration exactly once. One transaction for the whole chain: were
  // each migration committed apart, the second process could read a new store at version 2 and
  // take it for an old store to upgrade.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (const m of migrations().filter((m) => m.version > version)) {
      db.exec(m.sql);
      DATA_STEPS.get(m.version)?.(db);
    }
    db.pragma(`user_version = ${migrations().length}`);
  }).immediate();
}
