/** How the benchmarks take their numbers and print their figures: flags refused when not whole, percentiles, aligned tables. */

/** The numbers of a flag, each a whole number ≥ min, or the run stops before anything is built. */
export function wholeNumbers(name: string, value: string, min: number): number[] {
  const numbers = value.split(',').filter((v) => v.trim() !== '').map(Number);
  const bad = numbers.find((n) => !Number.isInteger(n) || n < min);
  if (bad !== undefined) {
    process.stderr.write(`--${name} takes whole numbers ≥ ${min}, got '${value}'\n`);
    process.exit(2);
  }
  return numbers;
}

/** The p-th quantile (0–1) of ascending samples: the sample at that rank, none interpolated. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))];
}

export const ms = (value: number): string => `${value.toFixed(2)} ms`;
export const count = (n: number): string => n.toLocaleString('en-US');
const pad = (cells: readonly string[], widths: readonly number[]): string =>
  cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();

/** Columns as wide as their widest cell, two spaces apart. */
export function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [pad(header, widths), ...rows.map((r) => pad(r, widths))].join('\n');
}
