-- Set when a job this bot holds is cancelled; its next heartbeat hands the cancellations over and
-- clears it. A heartbeat of a bot with nothing cancelled is then one statement.
ALTER TABLE bots ADD COLUMN cancels_pending BOOLEAN DEFAULT FALSE NOT NULL;
