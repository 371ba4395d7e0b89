/**
 * An event's snapshot: a frame as JPEG with boxes drawn on it and their labels, composited by
 * sharp from an SVG, so that whoever gets an alert sees at a glance what was counted and where.
 */
import type { Detection } from '../core/detections.js';

const COLOUR = '#ff2d2d';

/** `&`, `<`, `>` and quotes as SVG text can hold them. */
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The SVG of the boxes over a width × height picture: lines and type sized to the picture, so they read the same on any camera. */
export function boxesSvg(boxes: readonly Pick<Detection, 'label' | 'score' | 'box'>[], width: number, height: number): string {
  const line = Math.max(2, Math.round(Math.min(width, height) / 200));
  const type = Math.max(10, Math.round(Math.min(width, height) / 36));
  const shapes = boxes.map(({ label, score, box }) => {
    const x = box.x * width;
    const y = box.y * height;
    const caption = `${escape(label)} ${score.toFixed(2)}`;
    // The caption sits above the box, or inside it where the box touches the top of the picture.
    const textY = y >= type + line ? y - line : y + type + line;
    return (
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(box.width * width).toFixed(1)}" height="${(box.height * height).toFixed(1)}" fill="none" stroke="${COLOUR}" stroke-width="${line}"/>` +
      `<text x="${x.toFixed(1)}" y="${textY.toFixed(1)}" font-family="DejaVu Sans, sans-serif" font-size="${type}" fill="${COLOUR}" stroke="black" stroke-width="0.6">${caption}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

/** The packed rgb24 frame as JPEG with the boxes drawn. */
export async function drawBoxes(frame: { readonly rgb: Uint8Array; readonly width: number; readonly height: number }, boxes: readonly Pick<Detection, 'label' | 'score' | 'box'>[], quality = 85): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  const { rgb, width, height } = frame;
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(boxesSvg(boxes, width, height)), top: 0, left: 0 }])
    .jpeg({ quality })
    .toBuffer();
}
