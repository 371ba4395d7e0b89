/**
 * Greedy non-maximum suppression across classes, as @vladmandic/human applies it after CenterNet:
 * the model's own 3×3 peak picking leaves neighbouring peaks of other classes on one object (a van
 * as both car and truck), and counting objects needs one box each.
 */
import type { Box } from '../core/detections.js';

function intersectionOverUnion(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (a.width * a.height + b.width * b.height - intersection);
}

/** Keeps, best score first, each box that overlaps no kept box by more than `iouThreshold`. */
export function suppressOverlaps<T extends { readonly score: number; readonly box: Box }>(items: readonly T[], iouThreshold: number): T[] {
  const kept: T[] = [];
  for (const item of [...items].sort((a, b) => b.score - a.score)) {
    if (kept.every((other) => intersectionOverUnion(item.box, other.box) <= iouThreshold)) kept.push(item);
  }
  return kept;
}
