-- Step 8: digests and throttles. A rule may hold its hits for one message per hour or
-- per day (`digest`), or send at most `throttle_per_hour` singly in a clock hour and
-- hold the rest for the end of the hour. A held delivery waits in state 'held' until
-- `next_attempt_at` (its window's end); `held` remembers that it belongs in a digest,
-- so a dead letter put back by `alerts retry` returns to its digest, and a throttle
-- counts only what went out singly.
ALTER TABLE rules ADD COLUMN throttle_per_hour INTEGER;
ALTER TABLE rules ADD COLUMN digest TEXT NOT NULL DEFAULT 'off';
ALTER TABLE deliveries ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_rule_single ON deliveries (rule_id, held, alert_id);
