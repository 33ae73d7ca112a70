package io.shepherd.runtime.service;

import java.time.Clock;

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
                       ReadBots readBots) {

    public static Services create(Stores stores, JobSignal signal, Clock clock, Settings settings, Policies policies,
                                  RuntimeMetrics metrics) {
        return new Services(
                new SubmitJobs(stores, signal, clock, policies, metrics),
                new ReadJobs(stores),
                new CancelJob(stores, clock),
                new RetryJob(stores, signal, clock),
                new CompleteJob(stores, clock, metrics),
                new FailJob(stores, signal, clock, policies, metrics),
                new ReleaseJob(stores, signal, clock),
                new RegisterBot(stores, clock),
                new BotSessions(stores, signal, clock, metrics),
                new Heartbeat(stores, clock, settings),
                new ClaimJobs(stores, signal, clock, settings, metrics),
                new ReadBots(stores));
    }
}
