/**
 * vidmem's tokenizer path (transformers.js over a model folder's tokenizer.json) against the real
 * CLIP ViT-B/32 tokenizer, when the workplace provides a copy of it beside the repository.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../src/encoders/tokenizer.js';
import { ROOT } from './helpers/cli.js';

const CLIP_TOKENIZER = join(ROOT, '..', 'shared', 'models', 'clip-vit-base-patch32-tokenizer');
const START = 49406;
const END = 49407;

/** The ids ../shared/models/README.md lists, as transformers.js 4.3.1 produces them. */
const KNOWN: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['a photo of a cat', [49406, 320, 1125, 539, 320, 2368, 49407]],
  ['A person in a red jacket walks left.', [49406, 320, 2533, 530, 320, 736, 6164, 8192, 1823, 269, 49407]],
  ['When did the lecturer explain photosynthesis?', [49406, 827, 1335, 518, 23795, 7304, 1153, 21602, 286, 49407]],
];

function ids(data: BigInt64Array): number[] {
  return Array.from(data, Number);
}

describe.skipIf(!existsSync(join(CLIP_TOKENIZER, 'tokenizer.json')))('CLIP tokenizer parity', () => {
  it('gives the known ids one text at a time', async () => {
    const tokenizer = await loadTokenizer(CLIP_TOKENIZER, { padToMaxLength: false });
    for (const [text, expected] of KNOWN) {
      const batch = tokenizer.tokenize([text]);
      expect(ids(batch.input_ids!.data), text).toEqual(expected);
      expect(ids(batch.attention_mask!.data), text).toEqual(expected.map(() => 1));
    }
  });

  it('pads a batch to its longest text, as the text encoder feeds it', async () => {
    const tokenizer = await loadTokenizer(CLIP_TOKENIZER, { padToMaxLength: false });
    const batch = tokenizer.tokenize(KNOWN.map(([text]) => text));
    const width = Math.max(...KNOWN.map(([, expected]) => expected.length));
    expect(batch.input_ids!.dims).toEqual([KNOWN.length, width]);
    KNOWN.forEach(([text, expected], row) => {
      const rowIds = ids(batch.input_ids!.data.subarray(row * width, (row + 1) * width));
      const mask = ids(batch.attention_mask!.data.subarray(row * width, (row + 1) * width));
      expect(rowIds.slice(0, expected.length), text).toEqual(expected);
      expect(mask, text).toEqual([...expected.map(() => 1), ...Array(width - expected.length).fill(0)]);
    });
  });

  it('truncates to CLIP\'s 77-token context and keeps the end token', async () => {
    const tokenizer = await loadTokenizer(CLIP_TOKENIZER, { padToMaxLength: false });
    const batch = tokenizer.tokenize([Array(200).fill('cat').join(' ')]);
    const row = ids(batch.input_ids!.data);
    expect(row).toHaveLength(77);
    expect(row[0]).toBe(START);
    expect(row.at(-1)).toBe(END);
  });
});
