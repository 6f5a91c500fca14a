-- Step 6: deliveries per channel. A rule may send to a webhook, a Slack incoming
-- webhook and e-mail recipients; each (hit, channel, target) is delivered, retried
-- and dead-lettered on its own, so one failing channel never holds another back.
-- The hit id stays the idempotency key on every channel.
ALTER TABLE rules ADD COLUMN slack_url TEXT;
ALTER TABLE rules ADD COLUMN emails TEXT NOT NULL DEFAULT '[]';   -- JSON list

CREATE TABLE deliveries (
    alert_id        TEXT NOT NULL,        -- hits.id
    rule_id         TEXT NOT NULL,
    channel         TEXT NOT NULL,        -- webhook | slack | email
    target          TEXT NOT NULL,        -- URL or e-mail address
    state           TEXT NOT NULL,        -- pending | delivered | failed (dead letter)
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,                 -- set while pending
    last_error      TEXT,
    delivered_at    TEXT,
    PRIMARY KEY (alert_id, channel, target)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_rule ON deliveries (rule_id, state);

-- A hit's webhook state moves here. The target was read from the rule at delivery
-- time; a hit whose rule is gone keeps its history with an empty target, and one
-- still pending for such a rule is dead-lettered (there is nowhere to send it).
INSERT INTO deliveries (alert_id, rule_id, channel, target, state, attempts,
                        next_attempt_at, last_error, delivered_at)
SELECT h.id, h.rule_id, 'webhook', COALESCE(r.webhook_url, ''),
       CASE WHEN h.delivery_state = 'pending' AND r.webhook_url IS NULL THEN 'failed'
            ELSE h.delivery_state END,
       h.attempts,
       CASE WHEN r.webhook_url IS NULL THEN NULL ELSE h.next_attempt_at END,
       CASE WHEN h.delivery_state = 'pending' AND r.webhook_url IS NULL
            THEN 'the alert was removed before delivery' ELSE h.last_error END,
       h.delivered_at
FROM hits h LEFT JOIN rules r ON r.id = h.rule_id
WHERE h.delivery_state IN ('pending', 'delivered', 'failed');

DROP INDEX hits_delivery;
ALTER TABLE hits DROP COLUMN delivery_state;
ALTER TABLE hits DROP COLUMN attempts;
ALTER TABLE hits DROP COLUMN next_attempt_at;
ALTER TABLE hits DROP COLUMN last_error;
ALTER TABLE hits DROP COLUMN delivered_at;
