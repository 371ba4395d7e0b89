/** What the detector's text of a clip says it counted: "3 person, 1 car" → person 3, car 1. */

const COUNT = /^\s*(\d+)\s+(.+?)\s*$/;

export function parseCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const part of text.split(',')) {
    const match = COUNT.exec(part);
    if (match) counts.set(match[2]!, (counts.get(match[2]!) ?? 0) + Number(match[1]));
  }
  return counts;
}

/** How many of `labels` the detector's texts of a clip counted: the most any one of its texts says. */
export function countObjects(texts: readonly string[], labels: readonly string[]): number {
  let most = 0;
  for (const text of texts) {
    const counts = parseCounts(text);
    most = Math.max(most, labels.reduce((sum, label) => sum + (counts.get(label) ?? 0), 0));
  }
  return most;
}
