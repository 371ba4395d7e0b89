/**
 * How far one detector's output rows (x1, y1, x2, y2 in input pixels, score, class; 100 of them)
 * are from a reference's. Rows are paired by class and nearest box rather than by position, since
 * two peaks of almost equal score may come out of TopK in either order; every row above the
 * threshold on either side must find its partner among all rows of the other.
 */

const ROW = 6;

export interface RowDeviation {
  /** Rows above the threshold, on either side, that were paired. */
  readonly compared: number;
  /** Largest coordinate difference of a pair, in input pixels. */
  readonly maxBox: number;
  readonly maxScore: number;
  /** Rows above the threshold with no partner of the same class within `unpairedBeyond` pixels. */
  readonly unpaired: readonly string[];
}

interface Row {
  readonly box: readonly number[];
  readonly score: number;
  readonly classId: number;
}

function rowsOf(data: Float32Array): Row[] {
  return Array.from({ length: data.length / ROW }, (_, i) => ({
    box: Array.from(data.subarray(i * ROW, i * ROW + 4)),
    score: data[i * ROW + 4]!,
    classId: data[i * ROW + 5]!,
  }));
}

const boxDistance = (a: Row, b: Row): number => Math.max(...a.box.map((v, i) => Math.abs(v - b.box[i]!)));

export function compareRows(reference: Float32Array, candidate: Float32Array, threshold: number, unpairedBeyond = 4): RowDeviation {
  const sides = [rowsOf(reference), rowsOf(candidate)] as const;
  let compared = 0;
  let maxBox = 0;
  let maxScore = 0;
  const unpaired: string[] = [];
  sides.forEach((rows, side) => {
    const others = sides[1 - side]!;
    for (const row of rows.filter((r) => r.score >= threshold)) {
      const partner = others
        .filter((other) => other.classId === row.classId)
        .reduce<Row | undefined>((best, other) => (best && boxDistance(row, best) <= boxDistance(row, other) ? best : other), undefined);
      if (!partner || boxDistance(row, partner) > unpairedBeyond) {
        unpaired.push(`${side === 0 ? 'reference' : 'candidate'} class ${row.classId} score ${row.score.toFixed(4)} at [${row.box.map((v) => v.toFixed(1)).join(', ')}]`);
        continue;
      }
      compared++;
      maxBox = Math.max(maxBox, boxDistance(row, partner));
      maxScore = Math.max(maxScore, Math.abs(row.score - partner.score));
    }
  });
  return { compared, maxBox, maxScore, unpaired };
}

export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
