/**
 * A CLIP-layout model folder (config.json, preprocessor_config.json, onnx/<tower>_model*.onnx)
 * read into what the encoders need to run it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULTS, DTYPES, type Dtype } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import type { ClipModelSpec, Preprocessor } from '../src/core/model-spec.js';
import { folderFileSha256 } from './manifest.js';
import { onnxPath, type Tower } from './model-files.js';

async function readJson(folder: string, file: string): Promise<Record<string, unknown>> {
  const path = join(folder, file);
  if (!existsSync(path)) throw new UserError(`model folder ${folder} has no ${file} (not a CLIP-layout model folder)`);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new UserError(`model folder ${folder}: ${file} is not valid JSON`);
  }
}

function triple(value: unknown, fallback: number): [number, number, number] {
  if (Array.isArray(value) && value.length === 3) return value.map(Number) as [number, number, number];
  if (typeof value === 'number') return [value, value, value];
  return [fallback, fallback, fallback];
}

function parsePreprocessor(config: Record<string, unknown>): Preprocessor {
  const size = (config.size ?? {}) as Record<string, number> | number;
  const crop = (config.crop_size ?? {}) as Record<string, number> | number;
  const shortestEdge = typeof size === 'number' ? size : size.shortest_edge ?? null;
  const centerCrop = config.do_center_crop !== false && shortestEdge !== null;
  let width: number;
  let height: number;
  if (centerCrop) {
    width = typeof crop === 'number' ? crop : crop.width ?? shortestEdge!;
    height = typeof crop === 'number' ? crop : crop.height ?? shortestEdge!;
  } else {
    width = typeof size === 'number' ? size : size.width ?? shortestEdge ?? 224;
    height = typeof size === 'number' ? size : size.height ?? shortestEdge ?? 224;
  }
  return {
    width,
    height,
    shortestEdge: centerCrop ? shortestEdge : null,
    rescale: config.do_rescale === false ? 1 : Number(config.rescale_factor ?? 1 / 255),
    mean: config.do_normalize === false ? [0, 0, 0] : triple(config.image_mean, 0.5),
    std: config.do_normalize === false ? [1, 1, 1] : triple(config.image_std, 0.5),
  };
}

/**
 * The embedding width config.json declares: CLIP's projection_dim. SigLIP has no projection and
 * its config often omits the (default) hidden size, so null means "ask the graph".
 */
function configDim(config: Record<string, unknown>): number | null {
  const visionConfig = (config.vision_config ?? {}) as Record<string, unknown>;
  const dim = Number(config.projection_dim ?? visionConfig.projection_dim ?? NaN);
  return Number.isInteger(dim) && dim > 0 ? dim : null;
}

export async function readModelDim(folder: string): Promise<number | null> {
  return configDim(await readJson(folder, 'config.json'));
}

/** The ONNX graph of one tower at one precision; a clear error when the folder lacks it. */
function graphFile(folder: string, tower: Tower, dtype: Dtype): string {
  const file = onnxPath(tower, dtype);
  if (!existsSync(join(folder, file))) {
    throw new UserError(`model folder ${folder} has no ${file}` + (dtype === DEFAULTS.dtype ? '' : ` (no ${dtype} variant; try --dtype ${DEFAULTS.dtype})`));
  }
  return join(folder, file);
}

/**
 * The model in `folder` at one precision, ready for the encoders. The vision graph is always
 * needed, for the fingerprint that text and image vectors of one model share.
 */
export async function readClipModel(folder: string, options: { name: string; dtype: Dtype; text: boolean }): Promise<ClipModelSpec> {
  if (!existsSync(folder)) throw new UserError(`model folder ${folder} does not exist`);
  const config = await readJson(folder, 'config.json');
  const preprocessor = parsePreprocessor(await readJson(folder, 'preprocessor_config.json'));
  const vidmem = (config.vidmem ?? {}) as Record<string, unknown>;
  if (options.text && vidmem.benchmarkOnly === true) {
    throw new UserError(`model ${options.name} is an image-only benchmark graph and cannot encode text`);
  }
  const visionGraph = graphFile(folder, 'vision', options.dtype);
  return {
    name: options.name,
    folder,
    dtype: options.dtype,
    visionGraph,
    ...(options.text ? { textGraph: graphFile(folder, 'text', options.dtype) } : {}),
    fingerprint: await folderFileSha256(folder, onnxPath('vision', options.dtype)),
    dim: configDim(config),
    preprocessor,
    padToMaxLength: config.model_type === 'siglip',
  };
}

/** Which precision of the folder's vision graph has this sha256 (a store's model fingerprint). */
export async function dtypeWithFingerprint(folder: string, fingerprint: string): Promise<Dtype | undefined> {
  for (const dtype of DTYPES) {
    const file = onnxPath('vision', dtype);
    if (existsSync(join(folder, file)) && (await folderFileSha256(folder, file)) === fingerprint) return dtype;
  }
  return undefined;
}
