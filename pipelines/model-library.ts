/**
 * The model cache as `vidmem models` manages it: what is there, fetching or generating a model,
 * re-checking files against their recorded checksums, removing one.
 */
import type { Config, Dtype } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import { listCachedModels, removeCachedModel, verifyModel, type CachedModel, type FileCheck } from '../models/model-cache.js';
import { modelRef, resolveModel, type ModelRef, type ModelSources } from '../models/resolve-model.js';
import type { ModelEvents } from './model-choice.js';

export type { CachedModel, FileCheck } from '../models/model-cache.js';

export class ModelLibrary {
  private readonly sources: ModelSources;

  constructor(config: Config) {
    this.sources = { cacheDir: config.cacheDir, offline: config.offline, hub: config.hub };
  }

  get cacheDir(): string {
    return this.sources.cacheDir;
  }

  list(): Promise<CachedModel[]> {
    return listCachedModels(this.sources.cacheDir);
  }

  /** Downloads a hub model (resuming an interrupted download) or generates a built-in one. */
  async pull(name: string, dtype: Dtype, events: ModelEvents = {}): Promise<{ model: ModelRef; bytes?: number }> {
    const ref = modelRef(name, this.sources.cacheDir);
    if (ref.source === 'local') throw new UserError(`${name} is a local folder; there is nothing to pull`);
    const model = await resolveModel(name, { ...this.sources, dtype, onProgress: events.onDownload, onGenerate: events.onGenerate });
    const cached = (await this.list()).find((entry) => entry.folder === model.folder);
    return { model, ...(cached ? { bytes: cached.bytes } : {}) };
  }

  /** Each named model (default: every cached one) with the check of each of its files. */
  async verify(names: readonly string[]): Promise<Array<{ model: ModelRef; checks: FileCheck[] }>> {
    const refs = names.length ? names.map((name) => modelRef(name, this.sources.cacheDir)) : (await this.list()).map((m) => modelRef(m.name, this.sources.cacheDir));
    const results = [];
    for (const model of refs) results.push({ model, checks: await verifyModel(model) });
    return results;
  }

  async remove(name: string): Promise<ModelRef> {
    const ref = modelRef(name, this.sources.cacheDir);
    await removeCachedModel(ref);
    return ref;
  }
}
