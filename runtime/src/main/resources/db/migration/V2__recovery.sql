-- The recovery scheduler's shared memory: when any replica last swept. A new leader, or a
-- leader whose database was away, learns from it how long nobody swept (see OutageGrace).
CREATE TABLE recovery_state (
    name          VARCHAR(64) PRIMARY KEY,
    last_sweep_at BIGINT      NOT NULL,
    swept_by      VARCHAR(64)
);

INSERT INTO recovery_state (name, last_sweep_at, swept_by) VALUES ('sweeper', 0, NULL);

-- quarantine reads a bot's latest outcomes
CREATE INDEX job_events_by_bot ON job_events (bot_id, id);
