interface Boxed {
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

/**
 * Lines top to bottom, and left to right within a row, as the text reads: in a frame that is
 * upside down, its top is the frame's bottom. Boxes of one row rarely share a top edge (a capital,
 * a descender, another font size), so a line joins the row begun by the line above it when it
 * starts above that line's middle.
 */
export function readingOrder<T extends Boxed>(lines: readonly T[], upsideDown = false): T[] {
  const top = ({ box }: T): number => (upsideDown ? -(box.y + box.height) : box.y);
  const left = ({ box }: T): number => (upsideDown ? -(box.x + box.width) : box.x);
  const rows: T[][] = [];
  for (const line of [...lines].sort((a, b) => top(a) - top(b))) {
    const row = rows.at(-1);
    if (row && top(line) < top(row[0]!) + row[0]!.box.height / 2) row.push(line);
    else rows.push([line]);
  }
  return rows.flatMap((row) => row.sort((a, b) => left(a) - left(b)));
}
