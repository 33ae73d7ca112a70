// A recovery policy named "nightly" (the file name before .policy.js). Select it per job type in
// the policies YAML:   nightly-report: {policy: nightly}
// decide(job, ctx) is called when an attempt ended without success:
//   job.id, job.type, job.queue, job.attempt (1-based), job.maxAttempts,
//   job.reason: "lease-expired" (its bot went silent) or "failed" (its bot reported an error)
// Return {action: "requeue", delayMs: N} or {action: "dead"}. If this throws or loops, the
// built-in backoff policy decides instead and the failure is counted.
function decide(job, ctx) {
  if (job.attempt >= job.maxAttempts) {
    return { action: "dead" };
  }
  // an orphan goes back at once; a failure waits for a quieter hour, more so when busy
  if (job.reason === "lease-expired") {
    return { action: "requeue", delayMs: 0 };
  }
  const busy = ctx.jobs.pending > 1000;
  return { action: "requeue", delayMs: (busy ? 30 : 5) * 60 * 1000 };
}
