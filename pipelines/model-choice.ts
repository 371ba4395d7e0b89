/**
 * Which model a store is read and written with, and how its encoders are opened: the store-model
 * policy. A store never mixes models, so the model recorded in it wins; a new store gets the
 * user's --model, else the default. A --model that disagrees with the store is refused before
 * anything large is fetched.
 */
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Device, Dtype } from '../src/core/config.js';
import { DEFAULTS } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import type { ModelIdentity } from '../src/core/model-identity.js';
import type { TextEncoder, VisionEncoder } from '../src/core/ports/encoders.js';
import { BUILTIN_MODELS } from '../models/builtin/index.js';
import type { ProgressCallback } from '../models/hub-model.js';
import { CONFIG_FILE } from '../models/model-files.js';
import { dtypeWithFingerprint, readClipModel, readModelDim } from '../models/model-folder.js';
import { ensureModel, modelRef, type ModelRef, type ModelSources } from '../models/resolve-model.js';
import { ModelMismatchError } from '../storage/memory-store.js';

export type { ModelProgress, ProgressCallback } from '../models/hub-model.js';

/** The model options of a command; all optional. */
export interface ModelChoice {
  readonly model?: string;
  readonly dtype?: Dtype;
  readonly device?: Device;
  readonly threads?: number;
  /** Never use the network (on top of the configuration's offline switch). */
  readonly offline?: boolean;
}

/** What happens while models are made ready: downloads, generated built-ins, a device fallback. */
export interface ModelEvents {
  readonly onDownload?: ProgressCallback;
  readonly onGenerate?: (name: string, folder: string) => void;
  /** One line, e.g. that `--device auto` fell back to the CPU (the application also tells what its store did without). */
  readonly onNotice?: (line: string) => void;
}

export interface ChosenModel extends ModelRef {
  readonly dtype: Dtype;
}

/** The store a model is chosen for: where it is (for messages) and the model it records, if any. */
export interface StoreModel {
  readonly dir: string;
  readonly recorded: ModelIdentity | null;
}

/**
 * The model to run with a store; its files are generated or downloaded here. A model is the
 * store's when its vision graph is the one the store's vectors came from, whatever it is called
 * now: a folder that moved, or a byte-identical copy, is the same model.
 */
export async function chooseModel(store: StoreModel, choice: ModelChoice, sources: ModelSources, events: ModelEvents = {}): Promise<ChosenModel> {
  const { recorded } = store;
  const ref = choice.model !== undefined ? modelRef(choice.model, sources.cacheDir) : recordedRef(store, sources) ?? modelRef(DEFAULTS.model, sources.cacheDir);
  const options = { ...sources, offline: sources.offline || choice.offline === true, onProgress: events.onDownload, onGenerate: events.onGenerate };
  if (recorded && ref.name !== recorded.name) await refuseOtherWidth(store.dir, recorded, ref, options);
  // The store's fingerprint says which precision made its vectors; reuse it unless told otherwise.
  let stored = recorded && existsSync(ref.folder) ? await dtypeWithFingerprint(ref.folder, recorded.fingerprint) : undefined;
  const dtype = choice.dtype ?? stored ?? DEFAULTS.dtype;
  await ensureModel(ref, { ...options, dtype });
  stored ??= recorded ? await dtypeWithFingerprint(ref.folder, recorded.fingerprint) : undefined;
  return { ...ref, dtype: choice.dtype ?? stored ?? dtype };
}

/**
 * The model the store names, when no --model is given. A folder that is no longer there is
 * named in the error, with what to do: the fingerprint, not the path, is what must match.
 */
function recordedRef(store: StoreModel, sources: ModelSources): ModelRef | undefined {
  const { recorded } = store;
  if (!recorded) return undefined;
  try {
    return modelRef(recorded.name, sources.cacheDir);
  } catch (err) {
    if (!(err instanceof UserError) || !isAbsolute(recorded.name)) throw err;
    throw new UserError(
      `store ${store.dir} was built with the model in ${recorded.name} (${recorded.dim}-d, fingerprint ${recorded.fingerprint.slice(0, 12)}…), ` +
        'which is not there any more; give --model the folder where that model is now (a byte-identical copy works too)',
    );
  }
}

/**
 * Refuses a model of another width than the store's with the store's own message, before its
 * weights are fetched: config.json alone says the width, so a hub model costs one small file.
 * A model of the same width is the store's only if its vision graph is (see bindModel).
 */
async function refuseOtherWidth(storeDir: string, recorded: ModelIdentity, ref: ModelRef, options: ModelSources): Promise<void> {
  let dim: number | null;
  if (ref.source === 'builtin') {
    dim = BUILTIN_MODELS[ref.name]!.dim;
  } else {
    await ensureModel(ref, { ...options, files: [CONFIG_FILE] });
    dim = await readModelDim(ref.folder);
  }
  if (dim !== null && dim !== recorded.dim) throw new ModelMismatchError(storeDir, recorded, { name: ref.name, dim, fingerprint: '' });
}

interface OpenSettings {
  readonly choice: ModelChoice;
  readonly device: Device;
  readonly debug: boolean;
  readonly events: ModelEvents;
}

function sessionSettings(settings: OpenSettings) {
  return {
    device: settings.choice.device ?? settings.device,
    threads: settings.choice.threads,
    debug: settings.debug,
    log: settings.events.onNotice,
  };
}

export async function openVision(model: ChosenModel, settings: OpenSettings): Promise<VisionEncoder> {
  const { openVisionEncoder } = await import('../src/encoders/clip-encoder.js');
  return openVisionEncoder(await readClipModel(model.folder, { name: model.name, dtype: model.dtype, text: false }), sessionSettings(settings));
}

export async function openText(model: ChosenModel, settings: OpenSettings): Promise<TextEncoder> {
  const { openTextEncoder } = await import('../src/encoders/clip-encoder.js');
  return openTextEncoder(await readClipModel(model.folder, { name: model.name, dtype: model.dtype, text: true }), sessionSettings(settings));
}
