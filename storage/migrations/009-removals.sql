-- Clips are removed (a video deleted, a live source's memories past their retention). The rows go
-- in one transaction, and with them this counter moves on: an index saved or held in memory
-- before records the count it has seen, and one that is behind drops the clips it holds that
-- SQLite no longer has (see storage/index-cache.ts) instead of being rebuilt.
CREATE TABLE removals (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  count INTEGER NOT NULL
);
INSERT INTO removals (id, count) VALUES (1, 0);

-- Files of removed rows (a video's thumbnail folder, a pruned clip's keyframe), written in the
-- transaction that removes the rows and cleared once the files are gone: a removal cut short
-- between the two is finished by the next writer that opens the store.
CREATE TABLE files_to_remove (
  path TEXT PRIMARY KEY
) WITHOUT ROWID;
