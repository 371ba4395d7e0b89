-- Image rules: a clip's likeness to example pictures, kept as their mean vector (`vector`, the
-- store's model's) with the examples' file names (`images`, a JSON array) and, as text rules,
-- `sigma`. SQLite cannot widen a CHECK in place, so the table is made anew; dropping the old one
-- sets its events' rule_id to NULL (ON DELETE SET NULL), so their links are kept aside and put
-- back, and so is the id counter, so that a removed rule's id is never given again.
CREATE TEMP TABLE event_rules AS SELECT id, rule_id FROM alert_events WHERE rule_id IS NOT NULL;
CREATE TEMP TABLE rule_ids AS SELECT seq FROM sqlite_sequence WHERE name = 'alert_rules';

CREATE TABLE alert_rules_new (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT    NOT NULL UNIQUE,
  kind         TEXT    NOT NULL CHECK (kind IN ('text', 'object', 'image')),
  text         TEXT,
  sigma        REAL,
  object       TEXT,
  min_count    INTEGER,
  min_seconds  REAL,
  zone         TEXT,
  images       TEXT,
  vector       BLOB,
  source       TEXT,
  cooldown_sec REAL    NOT NULL,
  created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK ((kind = 'text' AND text IS NOT NULL AND sigma > 0)
      OR (kind = 'object' AND object IS NOT NULL AND min_count >= 1 AND min_seconds >= 0)
      OR (kind = 'image' AND images IS NOT NULL AND vector IS NOT NULL AND sigma > 0))
);
INSERT INTO alert_rules_new (id, name, kind, text, sigma, object, min_count, min_seconds, zone, source, cooldown_sec, created_at)
  SELECT id, name, kind, text, sigma, object, min_count, min_seconds, zone, source, cooldown_sec, created_at FROM alert_rules;
DROP TABLE alert_rules;
ALTER TABLE alert_rules_new RENAME TO alert_rules;

UPDATE alert_events SET rule_id = (SELECT r.rule_id FROM temp.event_rules r WHERE r.id = alert_events.id) WHERE id IN (SELECT id FROM temp.event_rules);
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM temp.rule_ids), 0)) WHERE name = 'alert_rules';
DROP TABLE temp.event_rules;
DROP TABLE temp.rule_ids;
