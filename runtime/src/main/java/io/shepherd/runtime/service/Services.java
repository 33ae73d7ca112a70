package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.function.Consumer;

import io.shepherd.runtime.core.Limits;
import io.shepherd.runtime.core.Settings;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/** Every use case of the API, built once over the same stores, signal, clock and rules. */
public record Services(SubmitJobs submitJobs,
                       ReadJobs readJobs,
                       CancelJob cancelJob,
                       RetryJob retryJob,
                       CompleteJob completeJob,
                       FailJob failJob,
                       ReleaseJob releaseJob,
                       RegisterBot registerBot,
                       BotSessions botSessions,
                       Heartbeat heartbeat,
                       ClaimJobs claimJobs,
                       ReadBots readBots,
                       DrainBots drainBots,
                       OperatorActions operatorActions,
                       Queues queues,
                       BulkJobs bulkJobs,
                       ReportJobs reportJobs,
                       RecentActivity recentActivity) {

    /** {@code revoked} hears of each bot revoked, so that its token is refused at once. */
    public static Services create(Stores stores, JobSignal signal, Clock clock, Settings settings, Limits limits,
                                  Policies policies, RuntimeMetrics metrics, Consumer<String> revoked) {
        OperatorActions actions = new OperatorActions(stores, clock);
        Queues queues = new Queues(stores, clock, signal, actions);
        CancelJob cancelJob = new CancelJob(stores, clock, actions);
        CompleteJob completeJob = new CompleteJob(stores, clock, metrics, limits);
        FailJob failJob = new FailJob(stores, signal, clock, policies, metrics, limits);
        ReleaseJob releaseJob = new ReleaseJob(stores, signal, clock);
        ClaimJobs claimJobs = new ClaimJobs(stores, signal, clock, settings, metrics, queues);
        signal.lookEvery(ClaimJobs.FALLBACK_LOOK, claimJobs::claimableTypes);
        signal.alongside("Writing the heartbeats of polls that did not look", settings.quietBeatsEvery(),
                claimJobs::writeQuietBeats);
        return new Services(
                new SubmitJobs(stores, signal, clock, policies, metrics, limits),
                new ReadJobs(stores, metrics, clock),
                cancelJob,
                new RetryJob(stores, signal, clock, actions),
                completeJob,
                failJob,
                releaseJob,
                new RegisterBot(stores, clock),
                new BotSessions(stores, signal, clock, metrics, actions, revoked),
                new Heartbeat(stores, clock, settings, limits),
                claimJobs,
                new ReadBots(stores),
                new DrainBots(stores, actions, signal),
                actions,
                queues,
                new BulkJobs(stores, clock, signal, cancelJob, actions),
                new ReportJobs(completeJob, failJob, releaseJob, claimJobs),
                new RecentActivity(stores, clock));
    }
}
