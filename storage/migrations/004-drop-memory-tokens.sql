-- Emptied into clip_memories by migration 003.
DROP TABLE memory_tokens;
