/** Small dense-vector helpers shared by the distiller, the selector and the tests. */

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/** Unit-length copy; an all-zero vector stays all-zero rather than becoming NaN. */
export function normalize(a: Float32Array): Float32Array {
  const length = norm(a);
  const out = new Float32Array(a.length);
  if (length === 0) return out;
  for (let i = 0; i < a.length; i++) out[i] = a[i] / length;
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  const denominator = norm(a) * norm(b);
  return denominator === 0 ? 0 : dot(a, b) / denominator;
}

/** Σ weights[i]·vectors[i], normalized: the direction a weighted group of embeddings points in. */
export function weightedMean(vectors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  const out = new Float32Array(vectors[0].length);
  vectors.forEach((v, i) => {
    for (let d = 0; d < v.length; d++) out[d] += weights[i] * v[d];
  });
  return normalize(out);
}
