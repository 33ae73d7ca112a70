-- The correlation id of the request that submitted the job (or the one given at submission): the
-- claim hands it to the bot, whose calls and log lines about the job carry it, so one id follows
-- a job from its submission to its outcome.
ALTER TABLE jobs ADD COLUMN correlation_id VARCHAR(200);
