/**
 * `palette`: a hand-weighted, CLIP-shaped dual encoder whose embedding says which of 8 colours
 * cover which of 6 regions of a frame. Its answers are known in advance ("red on the left" finds
 * frames whose left half is red), which makes retrieval testable without pretrained weights.
 *
 * Embedding component `colour * 6 + region` is, on the image side, the mean membership of that
 * region's cells in that colour; on the text side, the product of the query's colour and region
 * words. Embeddings are not normalized; callers L2-normalize, as with any CLIP export.
 */
import { elemType, GraphBuilder, int, ints } from '../onnx-graph.js';
import { PALETTE_COLOURS, PALETTE_DIM, PALETTE_REGIONS, type PaletteColour, type PaletteRegion } from './palette-space.js';

const IMAGE_SIZE = 224;
const CELL = 16;
const GRID = IMAGE_SIZE / CELL;
const IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073];
const IMAGE_STD = [0.26862954, 0.26130258, 0.27577711];
const MAX_TOKENS = 32;

/**
 * Membership is 1 − d²/τ (clipped at 0), d² the squared distance to the colour's corner.
 * Corners are at least d² = 1 apart. τ = 0.3 keeps a colour drifted by 0.3 per channel (lossy
 * video) at ≥ 0.7, lets a halfway mixture such as orange (d² = 0.25 to red and to yellow) score
 * only 1/6 for each, and gives grey (d² ≥ 0.75 to every corner) nothing.
 */
const TAU = 0.3;

const COLOUR_WORDS: Readonly<Record<string, PaletteColour>> = {
  red: 'red',
  green: 'green',
  blue: 'blue',
  yellow: 'yellow',
  cyan: 'cyan',
  magenta: 'magenta',
  white: 'white',
  black: 'black',
  purple: 'magenta',
  violet: 'magenta',
  aqua: 'cyan',
  turquoise: 'cyan',
};

/** 'whole' has no word: it is what a query without a region word means. */
const REGION_WORDS: Readonly<Record<string, Exclude<PaletteRegion, 'whole'>>> = {
  left: 'left',
  right: 'right',
  top: 'top',
  bottom: 'bottom',
  center: 'center',
  centre: 'center',
  middle: 'center',
  upper: 'top',
  lower: 'bottom',
};

const PAD = '[PAD]';
const UNK = '[UNK]';
const VOCAB = [PAD, UNK, ...Object.keys(COLOUR_WORDS), ...Object.keys(REGION_WORDS)];

/** The model's files, in write order: [path inside the model folder, bytes or a JSON value]. */
export function* paletteFiles(): Iterable<[string, Uint8Array | object]> {
  yield ['config.json', config()];
  yield ['preprocessor_config.json', preprocessorConfig()];
  yield ['tokenizer.json', tokenizerJson()];
  yield ['tokenizer_config.json', tokenizerConfig()];
  yield ['onnx/vision_model.onnx', visionGraph().toBytes()];
  yield ['onnx/text_model.onnx', textGraph().toBytes()];
}

function config(): object {
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: PALETTE_DIM,
    text_config: {
      model_type: 'clip_text_model',
      vocab_size: VOCAB.length,
      // A token's hidden state is its colour row and its region row side by side.
      hidden_size: PALETTE_COLOURS.length + PALETTE_REGIONS.length,
      max_position_embeddings: MAX_TOKENS,
      pad_token_id: 0,
      projection_dim: PALETTE_DIM,
    },
    vision_config: {
      model_type: 'clip_vision_model',
      image_size: IMAGE_SIZE,
      patch_size: CELL,
      num_channels: 3,
      // A cell's hidden state is its membership in each colour.
      hidden_size: PALETTE_COLOURS.length,
      projection_dim: PALETTE_DIM,
    },
    vidmem: {
      colours: PALETTE_COLOURS.map((colour) => colour.name),
      regions: [...PALETTE_REGIONS],
    },
  };
}

function preprocessorConfig(): object {
  return {
    image_processor_type: 'CLIPImageProcessor',
    do_convert_rgb: true,
    do_resize: true,
    size: { height: IMAGE_SIZE, width: IMAGE_SIZE },
    resample: 3,
    do_center_crop: false,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: IMAGE_MEAN,
    image_std: IMAGE_STD,
  };
}

function tokenizerJson(): object {
  const special = (content: string) => ({
    id: VOCAB.indexOf(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(PAD), special(UNK)],
    // Lowercases and strips accents, so "Centré" is "centre".
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    // No "##" pieces in the vocabulary: a word is known whole or becomes [UNK] ("reddish").
    model: {
      type: 'WordPiece',
      unk_token: UNK,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(VOCAB.map((word, id) => [word, id])),
    },
  };
}

function tokenizerConfig(): object {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: MAX_TOKENS,
    pad_token: PAD,
    unk_token: UNK,
    do_lower_case: true,
    padding_side: 'right',
    clean_up_tokenization_spaces: true,
  };
}

function visionGraph(): GraphBuilder {
  const g = new GraphBuilder({
    name: 'palette_vision',
    doc: 'vidmem palette: mean colour membership of 14x14 cells, pooled over 6 regions',
  });
  const pixels = g.input('pixel_values', 'float32', ['batch', 3, IMAGE_SIZE, IMAGE_SIZE]);
  const pooled = g.node('AveragePool', [pixels], {
    kernel_shape: ints(CELL, CELL),
    strides: ints(CELL, CELL),
  });
  // Averaging commutes with the processor's affine normalization, so it is undone on 196 cells.
  const scaled = g.node('Mul', [pooled, g.float32('image_std', [1, 3, 1, 1], IMAGE_STD)]);
  const rgb = g.node('Add', [scaled, g.float32('image_mean', [1, 3, 1, 1], IMAGE_MEAN)]);

  const distance = squaredDistanceToCorners(g, rgb);
  const closeness = g.node('Mul', [distance, g.float32('inverse_tau', [], [1 / TAU])]);
  const membership = g.node('Relu', [g.node('Sub', [g.float32('one', [], [1]), closeness])]);

  const cells = g.node('Reshape', [
    membership,
    g.int64('cells_shape', [3], [0, PALETTE_COLOURS.length, GRID * GRID]),
  ]);
  const regions = g.node('MatMul', [
    cells,
    g.float32('region_means', [GRID * GRID, PALETTE_REGIONS.length], regionMeans()),
  ]);
  g.node('Reshape', [regions, g.int64('embeds_shape', [2], [0, PALETTE_DIM])], {}, 'image_embeds');
  g.output('image_embeds', 'float32', ['batch', PALETTE_DIM]);
  return g;
}

/** d² = Σx² − 2p·x + |p|²: the cross term and |p|² are one 1×1 convolution. */
function squaredDistanceToCorners(g: GraphBuilder, rgb: string): string {
  const weight = PALETTE_COLOURS.flatMap((colour) => colour.rgb.map((v) => -2 * v));
  const bias = PALETTE_COLOURS.map((colour) => colour.rgb.reduce<number>((s, v) => s + v * v, 0));
  const cross = g.node('Conv', [
    rgb,
    g.float32('corner_weight', [PALETTE_COLOURS.length, 3, 1, 1], weight),
    g.float32('corner_bias', [PALETTE_COLOURS.length], bias),
  ]);
  const squares = g.node('ReduceSum', [g.node('Mul', [rgb, rgb]), g.int64('channel_axis', [1], [1])], {
    keepdims: int(1),
  });
  return g.node('Add', [cross, squares]);
}

/** [196, 6]: column r averages the cells of region r (row-major cells, 14 per row). */
function regionMeans(): Float32Array {
  const half = GRID / 2;
  const inside: Record<PaletteRegion, (row: number, col: number) => boolean> = {
    whole: () => true,
    left: (_, col) => col < half,
    right: (_, col) => col >= half,
    top: (row) => row < half,
    bottom: (row) => row >= half,
    center: (row, col) => row >= 4 && row <= 9 && col >= 4 && col <= 9,
  };
  const matrix = new Float32Array(GRID * GRID * PALETTE_REGIONS.length);
  PALETTE_REGIONS.forEach((region, r) => {
    const cells = [];
    for (let row = 0; row < GRID; row++) {
      for (let col = 0; col < GRID; col++) if (inside[region](row, col)) cells.push(row * GRID + col);
    }
    for (const cell of cells) matrix[cell * PALETTE_REGIONS.length + r] = 1 / cells.length;
  });
  return matrix;
}

function textGraph(): GraphBuilder {
  const g = new GraphBuilder({
    name: 'palette_text',
    doc: 'vidmem palette: outer product of the colour words and region words of a query',
  });
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const mask = g.input('attention_mask', 'int64', ['batch', 'sequence']);
  const weights = g.node('Unsqueeze', [
    g.node('Cast', [mask], { to: elemType('float32') }),
    g.int64('token_weight_axis', [1], [2]),
  ]);
  const sequenceAxis = g.int64('sequence_axis', [1], [1]);
  const sumOverTokens = (table: string) =>
    g.node('ReduceSum', [g.node('Mul', [g.node('Gather', [table, ids]), weights]), sequenceAxis], {
      keepdims: int(0),
    });

  const colours = sumOverTokens(g.float32('colour_table', [VOCAB.length, PALETTE_COLOURS.length], colourTable()));
  const named = sumOverTokens(g.float32('region_table', [VOCAB.length, PALETTE_REGIONS.length], regionTable()));

  // A query that names no region asks about the whole frame.
  const one = g.float32('one', [], [1]);
  const namedCount = g.node('ReduceSum', [named, sequenceAxis], { keepdims: int(1) });
  const unnamed = g.node('Sub', [one, g.node('Min', [namedCount, one])]);
  const whole = g.float32('whole_region', [1, PALETTE_REGIONS.length], [1, 0, 0, 0, 0, 0]);
  const regions = g.node('Add', [named, g.node('Mul', [unnamed, whole])]);

  const outer = g.node('Mul', [
    g.node('Unsqueeze', [colours, g.int64('colour_axis', [1], [2])]),
    g.node('Unsqueeze', [regions, g.int64('region_axis', [1], [1])]),
  ]);
  g.node('Reshape', [outer, g.int64('embeds_shape', [2], [0, PALETTE_DIM])], {}, 'text_embeds');
  g.output('text_embeds', 'float32', ['batch', PALETTE_DIM]);
  return g;
}

/** [V, 8]: a colour word's row is one-hot on its colour; [PAD], [UNK] and region words are 0. */
function colourTable(): Float32Array {
  const table = new Float32Array(VOCAB.length * PALETTE_COLOURS.length);
  VOCAB.forEach((word, id) => {
    const colour = COLOUR_WORDS[word];
    if (colour) table[id * PALETTE_COLOURS.length + PALETTE_COLOURS.findIndex((c) => c.name === colour)] = 1;
  });
  return table;
}

/** [V, 6]: a region word's row is one-hot on its region. */
function regionTable(): Float32Array {
  const table = new Float32Array(VOCAB.length * PALETTE_REGIONS.length);
  VOCAB.forEach((word, id) => {
    const region = REGION_WORDS[word];
    if (region) table[id * PALETTE_REGIONS.length + PALETTE_REGIONS.indexOf(region)] = 1;
  });
  return table;
}
