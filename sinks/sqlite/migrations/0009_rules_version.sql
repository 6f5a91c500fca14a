-- Step 9: a counter that changes whenever a rule does, so a running runtime learns that
-- rules changed (another process ran `alerts add`, `pause`, …) from one small read
-- instead of reading and validating every rule before each batch (10,000 rules took
-- about a third of the runtime in a burst).
INSERT OR IGNORE INTO meta(key, value) VALUES ('rules_version', '0');
CREATE TRIGGER rules_version_insert AFTER INSERT ON rules BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rules_version';
END;
CREATE TRIGGER rules_version_update AFTER UPDATE ON rules BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rules_version';
END;
CREATE TRIGGER rules_version_delete AFTER DELETE ON rules BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rules_version';
END;
