/**
 * `vit-b32-shape`: CLIP ViT-B/32's image tower with random weights. Same layers and shapes as
 * the real model, so encoder benchmarks measure an honest cost; the embeddings mean nothing.
 * Weights come from a seeded PRNG, so the files are reproducible byte for byte.
 */
import { encodeModel, float, GraphBuilder, int, ints } from '../onnx-graph.js';
import { quantizeDynamic } from './quantize.js';
import { seededRandom } from '../../src/core/seeded-random.js';

const IMAGE_SIZE = 224;
const PATCH = 32;
const HIDDEN = 768;
const LAYERS = 12;
const HEADS = 12;
const HEAD_DIM = HIDDEN / HEADS;
const INTERMEDIATE = 3072;
const PROJECTION = 512;
const TOKENS = (IMAGE_SIZE / PATCH) ** 2 + 1;
const LAYER_NORM_EPS = 1e-5;
const SEED = 0x5eed_b32;
/** CLIP's initializer scale: activations stay in a realistic range through 12 layers. */
const WEIGHT_STD = 0.02;

const IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073];
const IMAGE_STD = [0.26862954, 0.26130258, 0.27577711];

export function* vitB32ShapeFiles(): Iterable<[string, Uint8Array | object]> {
  yield ['config.json', config()];
  yield ['preprocessor_config.json', preprocessorConfig()];
  const model = new TowerBuilder().build().toModel();
  yield ['onnx/vision_model.onnx', encodeModel(model)];
  yield ['onnx/vision_model_quantized.onnx', encodeModel(quantizeDynamic(model))];
}

function config(): object {
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: PROJECTION,
    vision_config: {
      model_type: 'clip_vision_model',
      hidden_size: HIDDEN,
      intermediate_size: INTERMEDIATE,
      num_hidden_layers: LAYERS,
      num_attention_heads: HEADS,
      patch_size: PATCH,
      image_size: IMAGE_SIZE,
      num_channels: 3,
      hidden_act: 'quick_gelu',
      layer_norm_eps: LAYER_NORM_EPS,
      projection_dim: PROJECTION,
    },
    vidmem: { benchmarkOnly: true, seed: SEED },
  };
}

/** The real CLIP processor: shortest edge to 224, then a centre crop. */
function preprocessorConfig(): object {
  return {
    image_processor_type: 'CLIPImageProcessor',
    do_convert_rgb: true,
    do_resize: true,
    size: { shortest_edge: IMAGE_SIZE },
    resample: 3,
    do_center_crop: true,
    crop_size: { height: IMAGE_SIZE, width: IMAGE_SIZE },
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: IMAGE_MEAN,
    image_std: IMAGE_STD,
  };
}

/** Tensor names follow Hugging Face's CLIPVisionModelWithProjection parameters. */
class TowerBuilder {
  private readonly g = new GraphBuilder({
    name: 'vit_b32_shape',
    doc: 'vidmem vit-b32-shape: CLIP ViT-B/32 image tower with random weights (benchmarks only)',
  });
  private readonly random = uniformSampler(SEED);
  private readonly headsShape = this.g.int64('heads_shape', [4], [0, 0, HEADS, HEAD_DIM]);
  private readonly mergedShape = this.g.int64('merged_shape', [3], [0, 0, HIDDEN]);
  private readonly attentionScale = this.g.float32('attention_scale', [], [HEAD_DIM ** -0.5]);
  private readonly geluScale = this.g.float32('quick_gelu_scale', [], [1.702]);

  build(): GraphBuilder {
    const g = this.g;
    const pixels = g.input('pixel_values', 'float32', ['batch', 3, IMAGE_SIZE, IMAGE_SIZE]);
    let hidden = this.layerNorm(this.embeddings(pixels), 'vision_model.pre_layrnorm');
    for (let layer = 0; layer < LAYERS; layer++) {
      hidden = this.encoderLayer(hidden, `vision_model.encoder.layers.${layer}`);
    }
    const classToken = g.node('Gather', [hidden, g.int64('class_token_index', [], [0])], { axis: int(1) });
    const pooled = this.layerNorm(classToken, 'vision_model.post_layernorm');
    const projection = this.weight('visual_projection.weight', [HIDDEN, PROJECTION]);
    g.node('MatMul', [pooled, projection], {}, 'image_embeds');
    g.output('image_embeds', 'float32', ['batch', PROJECTION]);
    return g;
  }

  /** Patches as tokens, a class token in front, plus learned positions: [N, 50, 768]. */
  private embeddings(pixels: string): string {
    const g = this.g;
    // CLIP's patch embedding has no bias.
    const kernel = this.weight('vision_model.embeddings.patch_embedding.weight', [HIDDEN, 3, PATCH, PATCH]);
    const patches = g.node('Conv', [pixels, kernel], {
      kernel_shape: ints(PATCH, PATCH),
      strides: ints(PATCH, PATCH),
    });
    const flat = g.node('Reshape', [patches, g.int64('patches_shape', [3], [0, HIDDEN, TOKENS - 1])]);
    const tokens = g.node('Transpose', [flat], { perm: ints(0, 2, 1) });

    const batch = g.node('Shape', [pixels], { start: int(0), end: int(1) });
    const classDims = g.int64('class_token_dims', [2], [1, HIDDEN]);
    const classShape = g.node('Concat', [batch, classDims], { axis: int(0) });
    const classEmbedding = this.weight('vision_model.embeddings.class_embedding', [1, 1, HIDDEN]);
    const sequence = g.node('Concat', [g.node('Expand', [classEmbedding, classShape]), tokens], { axis: int(1) });
    const positions = this.weight('vision_model.embeddings.position_embedding.weight', [TOKENS, HIDDEN]);
    return g.node('Add', [sequence, positions]);
  }

  private encoderLayer(hidden: string, prefix: string): string {
    const g = this.g;
    const attended = this.selfAttention(this.layerNorm(hidden, `${prefix}.layer_norm1`), `${prefix}.self_attn`);
    const afterAttention = g.node('Add', [hidden, attended]);
    const transformed = this.mlp(this.layerNorm(afterAttention, `${prefix}.layer_norm2`), `${prefix}.mlp`);
    return g.node('Add', [afterAttention, transformed]);
  }

  /** 12 heads of 64: softmax(q·kᵀ/√64)·v, heads side by side again, then the output projection. */
  private selfAttention(x: string, prefix: string): string {
    const g = this.g;
    const heads = (name: string, perm: readonly number[]) => {
      const projected = this.linear(x, `${prefix}.${name}`, HIDDEN, HIDDEN);
      return g.node('Transpose', [g.node('Reshape', [projected, this.headsShape])], { perm: ints(...perm) });
    };
    const query = g.node('Mul', [heads('q_proj', [0, 2, 1, 3]), this.attentionScale]);
    const keyT = heads('k_proj', [0, 2, 3, 1]);
    const value = heads('v_proj', [0, 2, 1, 3]);
    const weights = g.node('Softmax', [g.node('MatMul', [query, keyT])], { axis: int(-1) });
    const context = g.node('Transpose', [g.node('MatMul', [weights, value])], { perm: ints(0, 2, 1, 3) });
    const merged = g.node('Reshape', [context, this.mergedShape]);
    return this.linear(merged, `${prefix}.out_proj`, HIDDEN, HIDDEN);
  }

  /** 768 → 3072, quick_gelu (x·sigmoid(1.702x), CLIP's activation), → 768. */
  private mlp(x: string, prefix: string): string {
    const g = this.g;
    const expanded = this.linear(x, `${prefix}.fc1`, HIDDEN, INTERMEDIATE);
    const gate = g.node('Sigmoid', [g.node('Mul', [expanded, this.geluScale])]);
    return this.linear(g.node('Mul', [expanded, gate]), `${prefix}.fc2`, INTERMEDIATE, HIDDEN);
  }

  private layerNorm(x: string, prefix: string): string {
    const scale = this.filled(`${prefix}.weight`, [HIDDEN], 1);
    const shift = this.filled(`${prefix}.bias`, [HIDDEN], 0);
    return this.g.node('LayerNormalization', [x, scale, shift], {
      axis: int(-1),
      epsilon: float(LAYER_NORM_EPS),
    });
  }

  /** Weights are stored [in, out], so a row of tokens times the matrix is the layer. */
  private linear(x: string, prefix: string, inputs: number, outputs: number): string {
    const product = this.g.node('MatMul', [x, this.weight(`${prefix}.weight`, [inputs, outputs])]);
    return this.g.node('Add', [product, this.weight(`${prefix}.bias`, [outputs])]);
  }

  private weight(name: string, dims: readonly number[]): string {
    return this.g.float32(name, dims, this.random(size(dims), WEIGHT_STD));
  }

  private filled(name: string, dims: readonly number[], value: number): string {
    return this.g.float32(name, dims, new Float32Array(size(dims)).fill(value));
  }
}

function size(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * mulberry32: tiny, fast, and the same on every platform. Weights are uniform with the wanted
 * standard deviation, as PyTorch's default Linear initialization draws them; a normal sampler
 * would cost seconds more and change nothing a benchmark can see.
 */
function uniformSampler(seed: number): (count: number, std: number) => Float32Array {
  const next = seededRandom(seed);
  return (count, std) => {
    // Uniform on [−a, a] has standard deviation a/√3.
    const width = 2 * Math.sqrt(3) * std;
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = (next() - 0.5) * width;
    return values;
  };
}
