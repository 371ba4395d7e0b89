import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { folderFileSha256 } from '../../models/manifest.js';
import { DEFAULT_DTYPE, DTYPES, onnxPath, type Dtype, type Tower } from '../../models/model-files.js';
import { UserError } from '../errors.js';

/** The parts of a Hugging Face CLIP-layout folder (config.json, preprocessor_config.json) we use. */
export interface ModelFolder {
  readonly folder: string;
  /** Embedding width of image_embeds / text_embeds when config.json says; else the graph decides. */
  readonly dim: number | null;
  readonly preprocessor: Preprocessor;
  readonly benchmarkOnly: boolean;
  /** SigLIP was trained on text padded to its full context (64 tokens); its embeddings assume it. */
  readonly padToMaxLength: boolean;
}

export interface Preprocessor {
  readonly width: number;
  readonly height: number;
  /** Resize the shortest edge to this, then centre-crop to width×height (CLIP); else squash. */
  readonly shortestEdge: number | null;
  readonly rescale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

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
 * ffmpeg does the resize (and crop) while decoding: far cheaper than resizing full frames in
 * JavaScript, and the encoder then only normalizes.
 */
export function scaleFilter(p: Preprocessor): string {
  if (p.shortestEdge === null) return `scale=${p.width}:${p.height}:flags=bicubic`;
  const s = p.shortestEdge;
  return `scale=${s}:${s}:force_original_aspect_ratio=increase:flags=bicubic,crop=${p.width}:${p.height}`;
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

export async function readModelFolder(folder: string): Promise<ModelFolder> {
  if (!existsSync(folder)) throw new UserError(`model folder ${folder} does not exist`);
  const config = await readJson(folder, 'config.json');
  const preprocessor = parsePreprocessor(await readJson(folder, 'preprocessor_config.json'));
  const vidmem = (config.vidmem ?? {}) as Record<string, unknown>;
  return {
    folder,
    dim: configDim(config),
    preprocessor,
    benchmarkOnly: vidmem.benchmarkOnly === true,
    padToMaxLength: config.model_type === 'siglip',
  };
}

/** The ONNX graph of one tower at one precision; a clear error when the folder lacks it. */
export function onnxFile(folder: string, tower: Tower, dtype: Dtype = DEFAULT_DTYPE): string {
  const file = onnxPath(tower, dtype);
  if (!existsSync(join(folder, file))) {
    throw new UserError(`model folder ${folder} has no ${file}` + (dtype === DEFAULT_DTYPE ? '' : ` (no ${dtype} variant; try --dtype ${DEFAULT_DTYPE})`));
  }
  return join(folder, file);
}

/** Which precision of the folder's vision graph has this sha256 (a store's model fingerprint). */
export async function dtypeWithFingerprint(folder: string, fingerprint: string): Promise<Dtype | undefined> {
  for (const dtype of DTYPES) {
    const file = onnxPath('vision', dtype);
    if (existsSync(join(folder, file)) && (await folderFileSha256(folder, file)) === fingerprint) return dtype;
  }
  return undefined;
}
