/** The `removals` counter and `files_to_remove`: what other readers of the store learn a removal from, and what is left to do of one. */
import type Database from 'better-sqlite3';

export class RemovalsRepository {
  private readonly countStmt: Database.Statement<[], number>;
  private readonly bumpStmt: Database.Statement<[], number>;
  private readonly addFileStmt: Database.Statement<[string]>;
  private readonly filesStmt: Database.Statement<[], string>;
  private readonly doneStmt: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.countStmt = db.prepare('SELECT count FROM removals WHERE id = 1').pluck() as typeof this.countStmt;
    this.bumpStmt = db.prepare('UPDATE removals SET count = count + 1 WHERE id = 1 RETURNING count').pluck() as typeof this.bumpStmt;
    this.addFileStmt = db.prepare('INSERT INTO files_to_remove (path) VALUES (?) ON CONFLICT DO NOTHING');
    this.filesStmt = db.prepare('SELECT path FROM files_to_remove').pluck() as typeof this.filesStmt;
    this.doneStmt = db.prepare('DELETE FROM files_to_remove WHERE path = ?');
  }

  /** How many removals the store has seen. */
  count(): number {
    return this.countStmt.get()!;
  }

  /** One more removal; returns the new count. Called in the transaction that removes the rows. */
  bump(): number {
    return this.bumpStmt.get()!;
  }

  /** Paths relative to the store, of files or folders. */
  addFiles(paths: Iterable<string>): void {
    for (const path of paths) this.addFileStmt.run(path);
  }

  files(): string[] {
    return this.filesStmt.all();
  }

  removed(path: string): void {
    this.doneStmt.run(path);
  }
}
