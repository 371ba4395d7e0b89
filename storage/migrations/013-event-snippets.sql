-- An event's snippet: a playable cut of a live source's recording around the moment it began,
-- relative to the store (snippets/<event>.mp4). Recordings are pruned as they age; the evidence
-- an event keeps is not.
ALTER TABLE alert_events ADD COLUMN snippet TEXT;
