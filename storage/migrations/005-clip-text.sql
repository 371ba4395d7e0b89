-- The text channels of a clip's memory: what its frames showed (OCR), what was said during it
-- (subtitles, speech), what the detector saw. A row keeps its own time: a slide line's frame, a
-- cue's span; a cue that spans two clips is a row in each.
CREATE TABLE clip_text (
  id         INTEGER PRIMARY KEY,
  clip_id    INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
  channel    TEXT    NOT NULL CHECK (channel IN ('slide', 'subtitle', 'speech', 'detector')),
  start_sec  REAL    NOT NULL,
  end_sec    REAL    NOT NULL,
  text       TEXT    NOT NULL,
  confidence REAL,
  -- {x, y, width, height} in fractions of the frame, for text read off it.
  box_json   TEXT
);
CREATE INDEX clip_text_by_clip ON clip_text (clip_id);

-- Two full-text indexes of the same rows: words stemmed as English ("explains" finds "explained"),
-- and character trigrams, which still match where OCR ran the words of a line together.
CREATE VIRTUAL TABLE clip_text_words USING fts5 (text, content = 'clip_text', content_rowid = 'id', tokenize = 'porter unicode61');
CREATE VIRTUAL TABLE clip_text_grams USING fts5 (text, content = 'clip_text', content_rowid = 'id', tokenize = 'trigram');

CREATE TRIGGER clip_text_added AFTER INSERT ON clip_text BEGIN
  INSERT INTO clip_text_words (rowid, text) VALUES (new.id, new.text);
  INSERT INTO clip_text_grams (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER clip_text_removed AFTER DELETE ON clip_text BEGIN
  INSERT INTO clip_text_words (clip_text_words, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO clip_text_grams (clip_text_grams, rowid, text) VALUES ('delete', old.id, old.text);
END;
