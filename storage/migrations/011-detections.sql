-- What the object detector found in each clip, box by box: counts, zones and rules read these,
-- not the clip's text. A box is in fractions of the frame; `zones` lists, as a JSON array, the
-- names of the source's zones its bottom-centre stood in when it was seen. A clip's detections go
-- with it (a removed video, pruned memories).
CREATE TABLE detections (
  id         INTEGER PRIMARY KEY,
  clip_id    INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
  frame_sec  REAL    NOT NULL,
  label      TEXT    NOT NULL,
  class_id   INTEGER NOT NULL,
  score      REAL    NOT NULL,
  x          REAL    NOT NULL CHECK (x BETWEEN 0 AND 1),
  y          REAL    NOT NULL CHECK (y BETWEEN 0 AND 1),
  width      REAL    NOT NULL CHECK (width BETWEEN 0 AND 1),
  height     REAL    NOT NULL CHECK (height BETWEEN 0 AND 1),
  zones      TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX detections_by_clip ON detections (clip_id);

-- An object rule may count only what stands in one zone.
ALTER TABLE alert_rules ADD COLUMN zone TEXT;
-- An event's snapshot: the frame the detector looked at with the boxes it counted drawn, relative to the store.
ALTER TABLE alert_events ADD COLUMN snapshot TEXT;
