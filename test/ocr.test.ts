import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuSessions } from './helpers/models.js';
import { detectorInputSize, textBoxes } from '../src/ocr/detect-text.js';
import { writeImage } from '../src/ocr/image-tensor.js';
import { openOcr, type OcrEngine, type TextLine } from '../src/ocr/ocr-engine.js';
import { readingOrder } from '../src/ocr/reading-order.js';
import { ctcGreedy, lineGeometry, parseDictionary } from '../src/ocr/recognize-text.js';
import { isUpsideDown } from '../src/ocr/text-direction.js';
import { renderSlide, SLIDE_FONT, SLIDE_LAYOUT, SLIDES, type Slide } from './bench/slides.js';

describe('DB detection geometry', () => {
  it('feeds the detector multiples of 32 with the longest side at most the limit, never enlarged', () => {
    expect(detectorInputSize(1280, 720, 960)).toEqual({ width: 960, height: 544 });
    expect(detectorInputSize(1920, 1080, 640)).toEqual({ width: 640, height: 352 });
    expect(detectorInputSize(854, 480, 960)).toEqual({ width: 864, height: 480 });
    expect(detectorInputSize(10, 10, 960)).toEqual({ width: 32, height: 32 });
  });

  it('turns a probability map into unclipped boxes in frame pixels, dropping faint regions and specks', () => {
    const map = { data: new Float32Array(100 * 60), width: 100, height: 60 };
    const fill = (x0: number, y0: number, x1: number, y1: number, p: number): void => {
      for (let y = y0; y <= y1; y++) map.data.fill(p, y * 100 + x0, y * 100 + x1 + 1);
    };
    fill(10, 10, 49, 19, 0.9); // a line: 39 × 9 between pixel centres
    fill(60, 40, 89, 47, 0.9); // another: 29 × 7
    fill(10, 40, 40, 50, 0.5); // above the 0.3 threshold, but its mean is below the 0.6 box threshold
    fill(95, 2, 96, 3, 0.95); // a speck: 1 × 1, under the minimum size of 3
    const boxes = textBoxes(map, 200, 120).sort((a, b) => a.y - b.y);
    // Unclip distance d = w·h·1.5 / (2(w + h)): 5.484 and 4.229 map pixels; then × 2 to the frame.
    expect(boxes).toEqual([
      { x: 9, y: 9, width: 100, height: 40 }, // x round(4.516·2) … round(54.484·2), y round(4.516·2) … round(24.484·2)
      { x: 112, y: 72, width: 74, height: 30 }, // x round(55.771·2) … round(93.229·2), y round(35.771·2) … round(51.229·2)
    ]);
  });
});

describe('line images', () => {
  // Identity normalization (mean 0, std 1/255) shows the raw interpolated bytes.
  const identity = { mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] } as const;
  const frame = { rgb: Uint8Array.of(10, 20, 30, 40, 50, 60), width: 2, height: 1 };

  it('writes BGR planes, turns upside down by mirroring, and averages like cv2.resize', () => {
    const whole = { x: 0, y: 0, width: 2, height: 1 };
    const batch = { data: new Float32Array(2 * 3 * 2), width: 2, height: 1 };
    writeImage(frame, whole, batch, { index: 0, width: 2 }, identity);
    writeImage(frame, whole, batch, { index: 1, width: 2, upsideDown: true }, identity);
    expect([...batch.data]).toEqual([30, 60, 20, 50, 10, 40, 60, 30, 50, 20, 40, 10]);
    const half = { data: new Float32Array(3), width: 1, height: 1 };
    writeImage(frame, whole, half, { index: 0, width: 1 }, identity);
    expect([...half.data]).toEqual([45, 35, 25]);
  });

  it('scales lines to height 48 keeping the aspect ratio, padded to at least 320', () => {
    expect(lineGeometry({ x: 0, y: 0, width: 100, height: 24 })).toEqual({ width: 200, paddedWidth: 320 });
    expect(lineGeometry({ x: 5, y: 5, width: 600, height: 30 })).toEqual({ width: 960, paddedWidth: 960 });
  });
});

describe('CTC decoding', () => {
  const dictionary = parseDictionary('a\nb\r\nl\n');
  /** One time step per [class, probability]; the other classes share what is left. */
  const steps = (...winners: [number, number][]): Float32Array => {
    const out = new Float32Array(winners.length * dictionary.length);
    winners.forEach(([k, p], t) => {
      out.fill((1 - p) / (dictionary.length - 1), t * dictionary.length, (t + 1) * dictionary.length);
      out[t * dictionary.length + k] = p;
    });
    return out;
  };

  it('reads the dictionary with the blank first and the space last', () => {
    expect(dictionary).toEqual(['', 'a', 'b', 'l', ' ']);
  });

  it('collapses repeats, keeps letters a blank separates, and averages the kept steps', () => {
    const { text, confidence } = ctcGreedy(steps([3, 0.9], [3, 0.8], [0, 0.9], [3, 0.7], [1, 0.6], [4, 0.9], [2, 0.5], [2, 0.9], [0, 0.8]), dictionary);
    expect(text).toBe('lla b');
    expect(confidence).toBeCloseTo((0.9 + 0.7 + 0.6 + 0.9 + 0.5) / 5, 6);
  });

  it('reads nothing from blanks, with confidence 0', () => {
    expect(ctcGreedy(steps([0, 0.99], [0, 0.98]), dictionary)).toEqual({ text: '', confidence: 0 });
  });
});

describe('direction and reading order', () => {
  it('turns a frame when most of its lines are upside down with confidence', () => {
    expect(isUpsideDown(Float32Array.of(0.05, 0.95, 0.02, 0.98, 0.97, 0.03))).toBe(true);
    expect(isUpsideDown(Float32Array.of(0.05, 0.95, 0.97, 0.03, 0.99, 0.01))).toBe(false);
    expect(isUpsideDown(Float32Array.of(0.2, 0.8))).toBe(false);
  });

  it('orders rows top to bottom and a row left to right, even when its tops differ', () => {
    const line = (text: string, x: number, y: number) => ({ text, box: { x, y, width: 0.2, height: 0.06 } });
    const lines = [line('below', 0.1, 0.5), line('right', 0.6, 0.12), line('left', 0.1, 0.1)];
    expect(readingOrder(lines).map((l) => l.text)).toEqual(['left', 'right', 'below']);
    expect(readingOrder(lines, true).map((l) => l.text)).toEqual(['below', 'right', 'left']);
  });
});

const hasFont = existsSync(SLIDE_FONT);
if (!hasFont) console.warn(`OCR slide tests skipped: no ${SLIDE_FONT} (apt-get install fonts-dejavu-core)`);

/** PaddleOCR sometimes drops the space between words, so words are compared without spaces. */
const squash = (text: string): string => text.toLowerCase().replace(/\s+/g, '');

function expectWords(line: TextLine | undefined, expected: string): void {
  for (const word of expected.split(' ')) expect(squash(line?.text ?? '')).toContain(squash(word));
}

describe('OCR of frames (PaddleOCR v4 on onnxruntime-node)', () => {
  let ocr: OcrEngine;
  beforeAll(async () => {
    ocr = await openOcr(cpuSessions());
  });
  afterAll(async () => {
    await ocr?.dispose();
  });

  it.skipIf(!hasFont)("reads a 1280×720 slide's lines in order, each inside the frame where it was drawn", async () => {
    const slide: Slide = SLIDES[0]!;
    const lines = await ocr.read(await renderSlide(slide, { width: 1280, height: 720 }));
    const expected = [slide.title, ...slide.lines];
    expect(lines).toHaveLength(expected.length);
    const tops = [SLIDE_LAYOUT.titleTop, ...slide.lines.map((_, i) => SLIDE_LAYOUT.bodyTop + SLIDE_LAYOUT.bodySpacing * i)];
    lines.forEach((line, i) => {
      expectWords(line, expected[i]!);
      expect(line.confidence).toBeGreaterThan(0.8);
      const { x, y, width, height } = line.box;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + width).toBeLessThanOrEqual(1);
      expect(y + height).toBeLessThanOrEqual(1);
      expect(Math.abs(x - SLIDE_LAYOUT.left)).toBeLessThan(0.02);
      expect(Math.abs(y - tops[i]!)).toBeLessThan(0.03);
      if (i > 0) expect(y).toBeGreaterThanOrEqual(lines[i - 1]!.box.y + lines[i - 1]!.box.height);
    });
  });

  it.skipIf(!hasFont)("still reads the title's words on a small, heavily compressed slide (854×480, x264 crf 38)", async () => {
    const slide = SLIDES[1]!;
    const lines = await ocr.read(await renderSlide(slide, { width: 854, height: 480, crf: 38, dark: true }));
    expectWords(lines[0], slide.title);
  });

  it.skipIf(!hasFont)('reads a slide turned upside down, in the order its text reads', async () => {
    const slide = SLIDES[0]!;
    const lines = await ocr.read(await renderSlide(slide, { width: 1280, height: 720, upsideDown: true }));
    expect(lines).toHaveLength(3);
    [slide.title, ...slide.lines].forEach((text, i) => expectWords(lines[i], text));
  });

  it('finds no text in a blank frame', async () => {
    expect(await ocr.read({ rgb: new Uint8Array(1280 * 720 * 3).fill(255), width: 1280, height: 720 })).toEqual([]);
  });

  it('refuses a buffer that is not width × height × 3 bytes', async () => {
    await expect(ocr.read({ rgb: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(/RGB24 frame of 4×4 has 48 bytes, not 10/);
  });
});
