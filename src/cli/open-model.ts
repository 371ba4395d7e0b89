import { existsSync } from 'node:fs';
import type { ModelIdentity, TextEncoder, VisionEncoder } from '../encoders/encoder.js';
import { openTextEncoder, openVisionEncoder } from '../encoders/clip-encoder.js';
import type { Device } from '../encoders/devices.js';
import { dtypeWithFingerprint, readModelDim } from '../encoders/model-folder.js';
import { BUILTIN_MODELS } from '../../models/builtin/index.js';
import { offlineByEnvironment } from '../../models/hub.js';
import { CONFIG_FILE, DEFAULT_DTYPE, type Dtype } from '../../models/model-files.js';
import { ensureModel, modelRef, type ModelRef, type ResolveOptions } from '../../models/resolve-model.js';
import type { MemoryStore } from '../../storage/memory-store.js';
import { ModelMismatchError } from '../../storage/store-errors.js';
import { downloadProgress } from './download-progress.js';

/** What a new store is built with: a real CLIP, downloaded once into the cache. */
export const DEFAULT_MODEL = 'Xenova/clip-vit-base-patch32';

/** The model options of a command (see model-options.ts); all optional. */
export interface ModelChoice {
  readonly model?: string;
  readonly dtype?: Dtype;
  readonly device?: Device;
  readonly threads?: number;
  readonly offline?: boolean;
  /** No progress bars or notices (JSON output). */
  readonly quiet?: boolean;
}

export interface ChosenModel extends ModelRef {
  readonly dtype: Dtype;
}

/**
 * The model a command runs with: the one recorded in the store (a store never mixes models), the
 * user's --model for a new store, else the default; its files are generated or downloaded here.
 * A --model that disagrees with the store is refused before anything large is fetched.
 */
export async function chooseModel(store: MemoryStore | null, choice: ModelChoice): Promise<ChosenModel> {
  const recorded = store?.model() ?? null;
  const ref = modelRef(choice.model ?? recorded?.name ?? DEFAULT_MODEL);
  const progress = downloadProgress(!choice.quiet);
  const options: ResolveOptions = {
    offline: choice.offline || offlineByEnvironment(),
    onProgress: progress.onProgress,
    onGenerate: (name, folder) => {
      if (!choice.quiet) process.stderr.write(`vidmem: generating built-in model '${name}' in ${folder}\n`);
    },
  };
  try {
    if (recorded && ref.name !== recorded.name) await refuseOther(store!.dir, recorded, ref, options);
    // The store's fingerprint says which precision made its vectors; reuse it unless told otherwise.
    const stored = recorded && existsSync(ref.folder) ? await dtypeWithFingerprint(ref.folder, recorded.fingerprint) : undefined;
    const dtype = choice.dtype ?? stored ?? DEFAULT_DTYPE;
    await ensureModel(ref, { ...options, dtype });
    return { ...ref, dtype };
  } finally {
    progress.stop();
  }
}

/**
 * Refuses a model other than the store's with the store's own message. config.json alone says
 * the width, so a hub model costs one small file here, not its weights.
 */
async function refuseOther(storeDir: string, recorded: ModelIdentity, ref: ModelRef, options: ResolveOptions): Promise<void> {
  let dim: number | null;
  if (ref.source === 'builtin') {
    dim = BUILTIN_MODELS[ref.name].dim;
  } else {
    await ensureModel(ref, { ...options, files: [CONFIG_FILE] });
    dim = await readModelDim(ref.folder);
  }
  // Without a declared width the store's own check refuses the model once it is loaded.
  if (dim !== null) throw new ModelMismatchError(storeDir, recorded, { name: ref.name, dim, fingerprint: '' });
}

export function loadVisionEncoder(model: ChosenModel, choice: ModelChoice): Promise<VisionEncoder> {
  return openVisionEncoder(model.folder, { name: model.name, dtype: model.dtype, device: choice.device, threads: choice.threads });
}

export function loadTextEncoder(model: ChosenModel, choice: ModelChoice): Promise<TextEncoder> {
  return openTextEncoder(model.folder, { name: model.name, dtype: model.dtype, device: choice.device, threads: choice.threads });
}
