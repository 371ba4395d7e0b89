/** A byte must move by more than this (0–255) to count as changed: compression noise stays below. */
const NOISE = 24;

/**
 * Percentage of sampled bytes of two same-sized frames that changed by more than compression
 * noise. Counting changed pixels instead of averaging differences keeps a small change visible (a
 * pedestrian on a fixed camera, a new line of text on a slide). A stride coprime with 3 visits all
 * three channels; at 224×224 it reads ~21k of 150k bytes.
 */
export function changedPercent(a: Uint8Array, b: Uint8Array, stride = 7): number {
  let changed = 0;
  let count = 0;
  for (let i = 0; i < a.length; i += stride) {
    if (Math.abs(a[i]! - b[i]!) > NOISE) changed++;
    count++;
  }
  return count === 0 ? 0 : (100 * changed) / count;
}
