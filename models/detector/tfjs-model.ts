/**
 * A tfjs graph model on disk: model.json (the TF GraphDef as JSON in `modelTopology.node`, plus
 * a weights manifest) and its binary weight shards beside it.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TfAttrs, TfShapeProto } from './tf-attributes.js';
import { decodeWeightsGroup, type Weight, type WeightsGroup } from './tfjs-weights.js';

export interface TfNode {
  readonly name: string;
  readonly op: string;
  /** `node`, `node:1` for a later output, `^node` for a control dependency. */
  readonly input?: readonly string[];
  readonly attr?: TfAttrs;
}

export interface TfTensorSignature {
  readonly name: string;
  readonly dtype?: string;
  readonly tensorShape?: TfShapeProto;
}

export interface TfjsModelJson {
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly modelTopology: { readonly node: readonly TfNode[]; readonly library?: { readonly function?: readonly unknown[] } };
  readonly weightsManifest: readonly WeightsGroup[];
  readonly signature?: {
    readonly inputs?: Readonly<Record<string, TfTensorSignature>>;
    readonly outputs?: Readonly<Record<string, TfTensorSignature>>;
  };
}

export interface TfjsGraphModel {
  readonly json: TfjsModelJson;
  readonly weights: ReadonlyMap<string, Weight>;
}

/** Every file a model.json needs: itself and the shards its manifest names, relative to it. */
export function shardPaths(json: TfjsModelJson): string[] {
  return json.weightsManifest.flatMap((group) => [...group.paths]);
}

export function parseModelJson(text: string, source: string): TfjsModelJson {
  const json = JSON.parse(text) as Partial<TfjsModelJson>;
  if (!Array.isArray(json.modelTopology?.node) || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${source} is not a tfjs graph model (no modelTopology.node or weightsManifest)`);
  }
  if ((json.modelTopology.library?.function?.length ?? 0) > 0) {
    throw new Error(`${source} uses graph functions (control flow), which the converter does not support`);
  }
  return json as TfjsModelJson;
}

export async function readTfjsGraphModel(modelJsonPath: string): Promise<TfjsGraphModel> {
  const json = parseModelJson(await readFile(modelJsonPath, 'utf8'), modelJsonPath);
  const folder = dirname(modelJsonPath);
  const weights = new Map<string, Weight>();
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map((path) => readFile(join(folder, path))));
    for (const [name, weight] of decodeWeightsGroup(group, Buffer.concat(shards))) weights.set(name, weight);
  }
  return { json, weights };
}
