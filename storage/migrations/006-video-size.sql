-- How many bytes of the file a video's content hash covers. A longer file whose first that many
-- bytes hash the same is the same recording, grown since (one still being written when it was
-- ingested): it continues this video instead of becoming a second copy of its start. NULL for
-- videos stored before, whose hash was a sample of the file and never matches a prefix.
ALTER TABLE videos ADD COLUMN size_bytes INTEGER;
CREATE INDEX videos_by_size ON videos (size_bytes);

-- settings_json records every ingest setting from now on, the memory tokens per clip too; a
-- video stored before has no `tokens` there, and a resume of it keeps to the tokens asked for.
