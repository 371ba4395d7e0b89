/** Errors a user can act on: each message is one line that names the store and what to do. */
import { UserError } from '../src/core/errors.js';
import type { ModelIdentity } from '../src/core/model-identity.js';

export class StoreError extends UserError {
  override name = 'StoreError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, 1, options);
  }
}

export class ModelMismatchError extends StoreError {
  override name = 'ModelMismatchError';

  constructor(dir: string, stored: ModelIdentity, offered: ModelIdentity) {
    const refusal = `store ${dir} holds vectors from model '${stored.name}' (${stored.dim}-d); refusing model '${offered.name}' (${offered.dim}-d)`;
    // Same name, other files: pointing at --model would not help, the weights differ.
    super(
      stored.name === offered.name
        ? `${refusal} with other weights (fingerprint ${short(offered.fingerprint)}, stored ${short(stored.fingerprint)}). Use the model files the store was made with, or another --store.`
        : `${refusal}. Use --model ${stored.name}, or another --store.`,
    );
  }
}

function short(fingerprint: string): string {
  return fingerprint.length > 12 ? `${fingerprint.slice(0, 12)}…` : fingerprint;
}

// One message for a full disk whoever met it, SQLite or a file write: it is told once (see StoreFailures).
const diskFull = (dir: string) => `store ${dir}: the disk is full`;

const SQLITE_MESSAGES: [RegExp, (dir: string, detail: string) => string][] = [
  [/^SQLITE_NOTADB/, (dir) => `store ${dir} is not a vidmem store: file is not a database`],
  [/^SQLITE_CORRUPT/, (dir, detail) => `store ${dir} is damaged (${detail}); restore it from a backup, or use another --store`],
  [/^SQLITE_(BUSY|LOCKED)/, (dir) => `store ${dir} is busy: another vidmem process is writing to it; try again when it is done`],
  [/^SQLITE_FULL/, diskFull],
  [/^SQLITE_(READONLY|CANTOPEN|PERM|AUTH|IOERR)/, (dir, detail) => `cannot use store ${dir}: ${detail}`],
];

const FS_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'EIO', 'ENOTDIR']);

/**
 * Turns failures that come from the store's files (damage, locks, full disk, permissions) into
 * StoreError; anything else is a bug and passes through unchanged.
 */
export function asStoreError(err: unknown, dir: string): unknown {
  if (err instanceof StoreError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return err;
  const sqlite = SQLITE_MESSAGES.find(([pattern]) => pattern.test(code));
  if (sqlite) return new StoreError(sqlite[1](dir, err.message), { cause: err });
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StoreError(diskFull(dir), { cause: err });
  if (FS_CODES.has(code)) return new StoreError(`cannot use store ${dir}: ${err.message}`, { cause: err });
  return err;
}

/** Runs a store operation with failures of the store's files reported as StoreError. */
export function guarded<T>(dir: string, operation: () => T): T {
  try {
    return operation();
  } catch (err) {
    throw asStoreError(err, dir);
  }
}

/**
 * What went wrong with a store's files, told once: a cause already reported (a full disk that
 * stopped an ingest) is not told again when the same store meets it later (saving its index).
 */
export class StoreFailures {
  private readonly told = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly onNotice: (message: string) => void,
  ) {}

  /** `guarded`, remembering what it reported. */
  guard<T>(operation: () => T): T {
    try {
      return guarded(this.dir, operation);
    } catch (err) {
      if (err instanceof StoreError) this.told.add(err.message);
      throw err;
    }
  }

  /**
   * Tells, once, that work the store can do without (saving a cache) failed; `say` words it from
   * the cause. A failure that is not one of the store's files is a bug and is thrown.
   */
  notice(err: unknown, say: (cause: string) => string): void {
    const failure = asStoreError(err, this.dir);
    if (!(failure instanceof StoreError)) throw failure;
    if (this.told.has(failure.message)) return;
    this.told.add(failure.message);
    this.onNotice(say(failure.message));
  }
}
