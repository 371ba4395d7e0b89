/**
 * How vectors, memories and positions are laid out in BLOBs and files: explicit little-endian, so
 * a store means the same on every machine. On little-endian machines (nearly all) the bytes
 * already are the floats, and reading them is a view, not a copy: a question reads hundreds of
 * vectors.
 */
import { endianness } from 'node:os';
import type { MemoryToken } from '../src/core/clips.js';

const LITTLE_ENDIAN = endianness() === 'LE';

export function vectorToBlob(v: Float32Array): Buffer {
  const buf = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
  return buf;
}

/** `length` floats of `buf` from byte `offset`; a view when the bytes allow it. */
export function blobToVector(buf: Buffer, offset = 0, length = (buf.length - offset) / 4): Float32Array {
  const start = buf.byteOffset + offset;
  if (LITTLE_ENDIAN && start % 4 === 0) return new Float32Array(buf.buffer, start, length);
  if (LITTLE_ENDIAN) return new Float32Array(buf.buffer.slice(start, start + length * 4));
  const v = new Float32Array(length);
  for (let i = 0; i < length; i++) v[i] = buf.readFloatLE(offset + i * 4);
  return v;
}

/**
 * A clip's memory tokens as one BLOB, read with one row instead of one row per token:
 *
 *   u32 count, u32 dim, then count × (f64 start, f64 end, f64 weight), then count × dim f32
 *
 * The vectors come last and together so that they stay 4-byte aligned whatever the count.
 */
const HEADER = 8;
const SPAN = 24;

export function tokensToBlob(tokens: readonly MemoryToken[]): Buffer {
  const dim = tokens[0]?.vector.length ?? 0;
  const vectorsAt = HEADER + tokens.length * SPAN;
  const buf = Buffer.allocUnsafe(vectorsAt + tokens.length * dim * 4);
  buf.writeUInt32LE(tokens.length, 0);
  buf.writeUInt32LE(dim, 4);
  tokens.forEach((t, k) => {
    if (t.vector.length !== dim) throw new Error(`memory token ${k} has ${t.vector.length} values, token 0 has ${dim}`);
    buf.writeDoubleLE(t.start, HEADER + k * SPAN);
    buf.writeDoubleLE(t.end, HEADER + k * SPAN + 8);
    buf.writeDoubleLE(t.weight, HEADER + k * SPAN + 16);
    for (let i = 0; i < dim; i++) buf.writeFloatLE(t.vector[i]!, vectorsAt + (k * dim + i) * 4);
  });
  return buf;
}

export function blobToTokens(buf: Buffer): MemoryToken[] {
  const count = buf.readUInt32LE(0);
  const dim = buf.readUInt32LE(4);
  const vectorsAt = HEADER + count * SPAN;
  if (buf.length !== vectorsAt + count * dim * 4) {
    throw new Error(`a memory BLOB of ${buf.length} bytes cannot hold ${count} tokens of ${dim} values`);
  }
  const tokens: MemoryToken[] = [];
  for (let k = 0; k < count; k++) {
    tokens.push({
      vector: blobToVector(buf, vectorsAt + k * dim * 4, dim),
      start: buf.readDoubleLE(HEADER + k * SPAN),
      end: buf.readDoubleLE(HEADER + k * SPAN + 8),
      weight: buf.readDoubleLE(HEADER + k * SPAN + 16),
    });
  }
  return tokens;
}

export function float64ToBytes(v: Float64Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  const buf = Buffer.allocUnsafe(v.length * 8);
  for (let i = 0; i < v.length; i++) buf.writeDoubleLE(v[i]!, i * 8);
  return buf;
}

/** A copy, so the array owns its memory and may outlive `buf`. */
export function bytesToFloat64(buf: Buffer): Float64Array {
  const v = new Float64Array(buf.length / 8);
  if (LITTLE_ENDIAN) Buffer.from(v.buffer).set(buf);
  else for (let i = 0; i < v.length; i++) v[i] = buf.readDoubleLE(i * 8);
  return v;
}
