-- Standing questions (alert rules) and the events they raised. A rule's condition is a text
-- (`text`, `sigma`) or an object (`object`, `min_count`, `min_seconds`). An event keeps copies of
-- what it points to (the rule's name, the video's path, the keyframe's path) so that it stays
-- readable after the rule is removed or the clip is pruned: it is the log of what happened.
CREATE TABLE alert_rules (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT    NOT NULL UNIQUE,
  kind         TEXT    NOT NULL CHECK (kind IN ('text', 'object')),
  text         TEXT,
  sigma        REAL,
  object       TEXT,
  min_count    INTEGER,
  min_seconds  REAL,
  source       TEXT,
  cooldown_sec REAL    NOT NULL,
  created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK ((kind = 'text' AND text IS NOT NULL AND sigma > 0) OR (kind = 'object' AND object IS NOT NULL AND min_count >= 1 AND min_seconds >= 0))
);

CREATE TABLE alert_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  rule_id     INTEGER REFERENCES alert_rules (id) ON DELETE SET NULL,
  rule_name   TEXT    NOT NULL,
  video_id    INTEGER NOT NULL,
  source      TEXT,
  path        TEXT    NOT NULL,
  start_sec   REAL    NOT NULL,
  end_sec     REAL    NOT NULL,
  started_at  REAL,
  score       REAL    NOT NULL,
  clip_id     INTEGER NOT NULL,
  thumbnail   TEXT,
  raised_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX alert_events_by_rule ON alert_events (rule_id, id);
