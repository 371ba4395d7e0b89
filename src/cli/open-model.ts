import type { TextEncoder, VisionEncoder } from '../encoders/encoder.js';
import { openTextEncoder, openVisionEncoder } from '../encoders/clip-encoder.js';
import { UserError } from '../errors.js';
import { resolveModel, type ResolvedModel } from '../../models/resolve-model.js';
import type { MemoryStore } from '../../storage/memory-store.js';

export const DEFAULT_MODEL = 'palette';

export interface ModelChoice {
  readonly model?: string;
  readonly threads?: number;
  readonly quiet?: boolean;
}

/**
 * The model a command runs with: the one recorded in the store (a store never mixes models), the
 * user's --model for a new store, else the default. A --model that disagrees with the store is
 * refused before anything is loaded.
 */
export async function chooseModel(store: MemoryStore | null, choice: ModelChoice): Promise<ResolvedModel> {
  const recorded = store?.model()?.name;
  const requested = choice.model ?? recorded ?? DEFAULT_MODEL;
  const resolved = await resolveModel(requested, {
    onGenerate: (name, folder) => {
      if (!choice.quiet) process.stderr.write(`vidmem: generating built-in model '${name}' in ${folder}\n`);
    },
  });
  if (recorded !== undefined && resolved.name !== recorded) {
    throw new UserError(
      `store ${store!.dir} holds vectors from model '${recorded}'; refusing --model '${choice.model}' (use --model ${recorded}, or another --store)`,
    );
  }
  return resolved;
}

export async function loadVisionEncoder(model: ResolvedModel, choice: ModelChoice): Promise<VisionEncoder> {
  return openVisionEncoder(model.folder, { name: model.name, threads: choice.threads });
}

export async function loadTextEncoder(model: ResolvedModel, choice: ModelChoice): Promise<TextEncoder> {
  return openTextEncoder(model.folder, { name: model.name, threads: choice.threads });
}
