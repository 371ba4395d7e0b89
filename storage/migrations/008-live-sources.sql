-- Live sources (cameras, streams). A source owns a timeline of segments, one per connection; a
-- segment is a row of `videos`, so search, selection and listings treat its clips as any others,
-- and its clips' times count from `started_at`, the UTC time (unix seconds) of its first frame.
CREATE TABLE sources (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL UNIQUE,
  url        TEXT    NOT NULL,
  created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

ALTER TABLE videos ADD COLUMN source_id INTEGER REFERENCES sources (id);
ALTER TABLE videos ADD COLUMN started_at REAL;
CREATE INDEX videos_by_source ON videos (source_id, started_at);

-- Holes in a source's timeline: it dropped, stalled, ended or was refused. `end_at` stays NULL
-- while the source is away.
CREATE TABLE source_gaps (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  start_at  REAL    NOT NULL,
  end_at    REAL,
  reason    TEXT    NOT NULL
);
CREATE INDEX source_gaps_by_source ON source_gaps (source_id, start_at);
