import sharp from 'sharp';

/** A clip's keyframe as JPEG, from the scaled RGB frame the encoder saw. */
export function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality = 80): Promise<Uint8Array> {
  return sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}
