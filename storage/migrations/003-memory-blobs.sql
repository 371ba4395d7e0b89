-- A clip's memory tokens as one BLOB (layout in storage/blobs.ts): a question reads the memories
-- of dozens of clips, and one row per clip is several times faster to read than one per token.
-- The step in 003-memory-blobs.ts moves the existing tokens over; 004 drops the old table.
-- INTEGER PRIMARY KEY makes clip_id the rowid: reading a clip's memory is one B-tree seek.
CREATE TABLE clip_memories (
  clip_id INTEGER PRIMARY KEY REFERENCES clips (id) ON DELETE CASCADE,
  tokens  BLOB    NOT NULL
);
