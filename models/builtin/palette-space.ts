/**
 * The space `palette` embeds into: 8 colours × 6 regions, one component each. Kept apart from the
 * generator so that naming the model, or reasoning about its vectors, loads no graph builder.
 */
export const PALETTE_COLOURS = [
  { name: 'red', rgb: [1, 0, 0] },
  { name: 'green', rgb: [0, 1, 0] },
  { name: 'blue', rgb: [0, 0, 1] },
  { name: 'yellow', rgb: [1, 1, 0] },
  { name: 'cyan', rgb: [0, 1, 1] },
  { name: 'magenta', rgb: [1, 0, 1] },
  { name: 'white', rgb: [1, 1, 1] },
  { name: 'black', rgb: [0, 0, 0] },
] as const;

export const PALETTE_REGIONS = ['whole', 'left', 'right', 'top', 'bottom', 'center'] as const;

export type PaletteColour = (typeof PALETTE_COLOURS)[number]['name'];
export type PaletteRegion = (typeof PALETTE_REGIONS)[number];

export const PALETTE_DIM = PALETTE_COLOURS.length * PALETTE_REGIONS.length;

/** Where a colour-in-region lands in the embedding. */
export function paletteIndex(colour: PaletteColour, region: PaletteRegion): number {
  const c = PALETTE_COLOURS.findIndex((entry) => entry.name === colour);
  return c * PALETTE_REGIONS.length + PALETTE_REGIONS.indexOf(region);
}
