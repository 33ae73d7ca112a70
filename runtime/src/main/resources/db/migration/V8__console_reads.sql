-- The console's last hour, minute by minute, counts events by time. Events are written in time
-- order, so on PostgreSQL a BRIN index finds an hour of them for a few pages of index and next to
-- no cost per insert (summarized as its ranges fill; a B-tree on H2, which has no BRIN).
CREATE INDEX job_events_at ON job_events ${events_at_index};
-- When a bot's current session began: the console shows its session's age.
ALTER TABLE bots ADD COLUMN session_started_at BIGINT;
UPDATE bots SET session_started_at = last_heartbeat_at WHERE session IS NOT NULL;
