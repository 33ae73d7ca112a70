package io.shepherd.runtime.recovery;

import java.util.List;
import java.util.Map;

import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.store.Stores;

/**
 * A bot whose latest N attempts all failed (reported failures and expired leases; a job refused
 * as not retryable is the job's fault, not the bot's) stops claiming: it is {@code quarantined}
 * until it restarts or an admin resets it. N is {@code quarantine.consecutive-failures}.
 */
public final class QuarantineBots {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QuarantineBots.class);

    private final Stores stores;
    private final Policies policies;
    private long watermark = -1;

    public QuarantineBots(Stores stores, Policies policies) {
        this.stores = stores;
        this.policies = policies;
    }

    /** One pass over the bots that failed since the last pass; returns how many were quarantined. */
    public synchronized int runOnce() {
        var db = stores.database().execute();
        if (watermark < 0) {
            // a new leader judges from now on, not the whole history
            watermark = stores.recovery().lastEventId(db);
            return 0;
        }
        int threshold = policies.quarantineAfter();
        Map.Entry<List<String>, Long> failing = stores.recovery().botsFailingSince(db, watermark);
        watermark = failing.getValue();
        if (threshold == 0) {
            return 0;
        }
        int quarantined = 0;
        for (String bot : failing.getKey()) {
            List<String> outcomes = stores.recovery().latestOutcomes(db, bot, threshold);
            if (outcomes.size() == threshold && !outcomes.contains("completed")
                    && stores.recovery().quarantine(db, bot) > 0) {
                quarantined++;
                LOG.atWarn().addKeyValue("botId", bot).addKeyValue("consecutiveFailures", threshold)
                        .log("Bot {} quarantined: its last {} attempts all failed; it claims nothing until it "
                                + "restarts or an admin resets it", bot, threshold);
            }
        }
        return quarantined;
    }
}
