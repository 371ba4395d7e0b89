-- The first vidmem schema. Times are seconds from the start of the video; vectors are float32
-- little-endian BLOBs whose length is the model's dim × 4.

-- Every vector in a store comes from one model; a single row makes "which model?" unambiguous.
CREATE TABLE model (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  name        TEXT    NOT NULL,
  dim         INTEGER NOT NULL CHECK (dim > 0),
  fingerprint TEXT    NOT NULL,
  created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- AUTOINCREMENT so an id is never reused after a delete: ids name thumbnail folders and
-- must not point at an older video's files.
CREATE TABLE videos (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  path          TEXT    NOT NULL,
  content_hash  TEXT    NOT NULL UNIQUE,
  duration_sec  REAL    NOT NULL,
  fps           REAL    NOT NULL,
  width         INTEGER NOT NULL,
  height        INTEGER NOT NULL,
  status        TEXT    NOT NULL CHECK (status IN ('ingesting', 'complete', 'incomplete')),
  -- What the ingest ran with, so that a resume continues with the same sampling and clipping.
  settings_json TEXT    NOT NULL,
  stats_json    TEXT,
  created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Clip ids are the HNSW labels. AUTOINCREMENT keeps them increasing even after deletes, which
-- is what lets a persisted index be checked against this table by (count, max id).
-- UNIQUE (video_id, idx) also serves per-video listing, resume (last idx) and the cascade.
CREATE TABLE clips (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  video_id       INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  idx            INTEGER NOT NULL CHECK (idx >= 0),
  start_sec      REAL    NOT NULL,
  end_sec        REAL    NOT NULL,
  indicator      BLOB    NOT NULL,
  frames_encoded INTEGER NOT NULL,
  frames_repeat  INTEGER NOT NULL,
  -- Relative to the store folder, so a store can be moved as a whole.
  thumb_path     TEXT,
  UNIQUE (video_id, idx)
);

-- The primary key's leading clip_id serves both reading a clip's memory and the cascade.
CREATE TABLE memory_tokens (
  clip_id   INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
  k         INTEGER NOT NULL CHECK (k >= 0),
  vector    BLOB    NOT NULL,
  start_sec REAL    NOT NULL,
  end_sec   REAL    NOT NULL,
  weight    REAL    NOT NULL,
  PRIMARY KEY (clip_id, k)
) WITHOUT ROWID;
