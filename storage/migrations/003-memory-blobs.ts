/** Migration 003's data step: each clip's `memory_tokens` rows become one `clip_memories` BLOB. */
import type Database from 'better-sqlite3';
import type { MemoryToken } from '../../src/core/clips.js';
import { blobToVector, tokensToBlob } from '../blobs.js';

type TokenRow = [clipId: number, vector: Buffer, start: number, end: number, weight: number];

/** Clips converted per read, so that a store of millions of tokens is not held in memory at once. */
const BATCH = 10_000;

export function packMemoryTokens(db: Database.Database): void {
  const read = db
    .prepare('SELECT clip_id, vector, start_sec, end_sec, weight FROM memory_tokens WHERE clip_id > ? AND clip_id <= ? ORDER BY clip_id, k')
    .raw() as unknown as Database.Statement<[number, number], TokenRow>;
  const insert = db.prepare('INSERT INTO clip_memories (clip_id, tokens) VALUES (?, ?)');
  const last = (db.prepare('SELECT max(clip_id) FROM memory_tokens').pluck().get() as number | null) ?? 0;
  for (let from = 0; from < last; from += BATCH) {
    const byClip = new Map<number, MemoryToken[]>();
    for (const [clipId, vector, start, end, weight] of read.all(from, from + BATCH)) {
      const tokens = byClip.get(clipId) ?? [];
      tokens.push({ vector: blobToVector(vector), start, end, weight });
      byClip.set(clipId, tokens);
    }
    for (const [clipId, tokens] of byClip) insert.run(clipId, tokensToBlob(tokens));
  }
}
