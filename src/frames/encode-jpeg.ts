/**
 * A clip's keyframe as JPEG, from the scaled RGB frame the encoder saw. sharp is loaded on the
 * first keyframe: commands that never write one (search, ask) do not pay for loading libvips.
 */
export async function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality = 80): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  return sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}
