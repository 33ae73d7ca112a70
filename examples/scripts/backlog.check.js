// A health check named "backlog" (the file name before .check.js). Shepherd calls check(ctx) on
// every /healthz probe; ctx is a read-only view of the runtime:
//   ctx.now                 epoch milliseconds
//   ctx.jobs.<status>       pending, claimed, completed, dead, cancelled
//   ctx.bots.<status>       idle, busy, draining, lost, quarantined, offline
//   ctx.oldestPendingAgeMs  age of the oldest claimable job
//   ctx.lastSweepAt         when recovery last swept (epoch ms)
// Return {status: "UP" | "DOWN", details: {...}}. No files, network, threads or Java here.
function check(ctx) {
  const waitingTooLong = ctx.oldestPendingAgeMs > 10 * 60 * 1000;
  const noBots = ctx.jobs.pending > 0 && ctx.bots.idle + ctx.bots.busy === 0;
  return {
    status: waitingTooLong || noBots ? "DOWN" : "UP",
    details: {
      pending: ctx.jobs.pending,
      oldestPendingAgeMs: ctx.oldestPendingAgeMs,
      liveBots: ctx.bots.idle + ctx.bots.busy
    }
  };
}
