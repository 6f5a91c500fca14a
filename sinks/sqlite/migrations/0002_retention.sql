-- Step 2: retention. The runtime deletes `seen` ids and `events` older than the
-- `retention` settings; these indexes make that a range delete, not a table scan.
CREATE INDEX seen_last_seen ON seen (last_seen_at);
CREATE INDEX events_at ON events (at);
