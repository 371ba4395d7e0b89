-- Chat sessions, so `vidmem chat --session ID` can resume a conversation. A turn is written whole
-- (question, answer, cited moments) once its answer is complete: an answer cut short by an error
-- or Ctrl-C leaves no half turn behind.

CREATE TABLE chat_sessions (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  -- The video the session asks about; NULL for every video in the store.
  video_id   INTEGER REFERENCES videos (id) ON DELETE CASCADE,
  created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- (session_id, id) serves reading a session's latest turns and the cascade.
CREATE TABLE chat_turns (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
  question   TEXT    NOT NULL,
  -- The text memories were selected with: the question, joined with the earlier one it follows up.
  query      TEXT    NOT NULL,
  answer     TEXT    NOT NULL,
  -- Which decoder answered: a session may switch between the built-in answerer and an LLM.
  decoder    TEXT    NOT NULL,
  created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX chat_turns_by_session ON chat_turns (session_id, id);

-- The moments a turn cited, in the order given to the decoder; a follow-up starts from them.
CREATE TABLE chat_evidence (
  turn_id   INTEGER NOT NULL REFERENCES chat_turns (id) ON DELETE CASCADE,
  k         INTEGER NOT NULL CHECK (k >= 0),
  video_id  INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  start_sec REAL    NOT NULL,
  end_sec   REAL    NOT NULL,
  score     REAL    NOT NULL,
  PRIMARY KEY (turn_id, k)
) WITHOUT ROWID;
