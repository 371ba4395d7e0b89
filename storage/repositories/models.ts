/** The `model` table: the one model whose vectors a store holds. */
import type Database from 'better-sqlite3';
import type { ModelIdentity } from '../../src/core/model-identity.js';

export class ModelsRepository {
  private readonly selectStmt: Database.Statement<[], ModelIdentity>;
  private readonly insertStmt: Database.Statement<[string, number, string]>;
  private readonly renameStmt: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.selectStmt = db.prepare('SELECT name, dim, fingerprint FROM model WHERE id = 1');
    // Two processes starting on a new store may both find it without a model: the first one wins.
    this.insertStmt = db.prepare('INSERT INTO model (id, name, dim, fingerprint) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    this.renameStmt = db.prepare('UPDATE model SET name = ? WHERE id = 1');
  }

  get(): ModelIdentity | null {
    return this.selectStmt.get() ?? null;
  }

  /** Records the model unless one is recorded already; `get` tells which. */
  insert(model: ModelIdentity): void {
    this.insertStmt.run(model.name, model.dim, model.fingerprint);
  }

  rename(name: string): void {
    this.renameStmt.run(name);
  }
}
