/**
 * The reference a converted model is held to: the same tfjs graph model run by TensorFlow.js
 * itself on its WebAssembly backend (the one @vladmandic/human uses in Node without tfjs-node).
 * The model is read from disk through a custom IO handler, the .wasm files from the npm package.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { TfjsModelJson } from '../../models/detector/tfjs-model.js';

export interface TfjsGraph {
  /** Runs the graph on one float32 input; the outputs' values, in the order asked for. */
  run(input: Float32Array, shape: readonly number[], outputs: readonly string[]): Promise<Float32Array[]>;
  dispose(): void;
}

let backendReady: Promise<void> | undefined;

function wasmBackend(): Promise<void> {
  backendReady ??= (async () => {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return backendReady;
}

function diskHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as TfjsModelJson & { modelTopology: object };
      const shards = json.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(join(dirname(modelJsonPath), path))));
      const data = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[],
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
        ...(json.signature ? { signature: json.signature } : {}),
      };
    },
  };
}

/** What @vladmandic/human does to a frame before CenterNet: tf.image.resizeBilinear with its defaults. */
export async function tfjsResizeBilinear(rgb: Uint8Array, height: number, width: number, size: number): Promise<Float32Array> {
  await wasmBackend();
  const frame = tf.tensor4d(Float32Array.from(rgb), [1, height, width, 3]);
  const resized = tf.image.resizeBilinear(frame, [size, size]);
  try {
    return Float32Array.from(await resized.data());
  } finally {
    tf.dispose([frame, resized]);
  }
}

export async function loadTfjsGraph(modelJsonPath: string): Promise<TfjsGraph> {
  await wasmBackend();
  const model = await loadGraphModel(diskHandler(modelJsonPath));
  return {
    async run(input, shape, outputs) {
      const x = tf.tensor(input, [...shape], 'float32');
      const results = model.execute(x, [...outputs]);
      const tensors = Array.isArray(results) ? results : [results];
      try {
        return await Promise.all(tensors.map(async (tensor) => Float32Array.from(await tensor.data())));
      } finally {
        tf.dispose([x, ...tensors]);
      }
    },
    dispose: () => model.dispose(),
  };
}
