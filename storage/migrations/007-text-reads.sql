-- How far into its video each text channel has been read: what `vidmem reindex --text` still has
-- to read, and where it resumes after an interruption. A video ingested before text channels, or
-- with OCR off, has no row for that channel.
CREATE TABLE text_reads (
  video_id   INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  channel    TEXT    NOT NULL CHECK (channel IN ('slide', 'subtitle', 'speech', 'detector')),
  read_until REAL    NOT NULL,
  PRIMARY KEY (video_id, channel)
);
