-- Operator levers (issue 14).
-- A queue's settings; a queue without a row is running and unlimited.
CREATE TABLE queues (
    name        VARCHAR(200) PRIMARY KEY,
    paused      BOOLEAN      DEFAULT FALSE NOT NULL,
    -- the most jobs of this queue claimed at once across every bot; NULL: no limit
    max_claimed INT,
    updated_at  BIGINT       NOT NULL
);
-- A limited queue's claimed jobs are counted under its lock at every claim from it, through the
-- index of claimed jobs (jobs_lease): claimed jobs are few, however large the table.

-- Recurring schedules. Each slot makes at most one job: its idempotency key is the schedule's
-- name and the slot's time, so replicas racing for a slot insert it once.
CREATE TABLE schedules (
    name          VARCHAR(200) PRIMARY KEY,
    type          VARCHAR(200) NOT NULL,
    queue         VARCHAR(200) NOT NULL,
    payload       ${text},
    cron          VARCHAR(200),
    every_ms      BIGINT,
    zone          VARCHAR(64)  NOT NULL,
    overlap       VARCHAR(16)  NOT NULL,
    misfire       VARCHAR(16)  NOT NULL,
    -- config (declared in YAML: edit the file) or api
    source        VARCHAR(16)  NOT NULL,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    -- the latest slot handled (a job made, or skipped), and the latest job made
    last_slot_at  BIGINT,
    last_job_id   VARCHAR(36),
    last_fired_at BIGINT
);
