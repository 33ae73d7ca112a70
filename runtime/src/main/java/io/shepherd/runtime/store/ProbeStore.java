package io.shepherd.runtime.store;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.shepherd.runtime.core.BotStatus;
import io.shepherd.runtime.core.EventKind;

/** The statements health probes run: a ping, and a claim round trip that leaves nothing behind. */
public final class ProbeStore {
    static final String PROBE_TYPE = "__shepherd_probe__";

    private final Stores stores;

    public ProbeStore(Stores stores) {
        this.stores = stores;
    }

    public void ping() {
        stores.database().execute().createGet("SELECT 1 AS one").execute();
    }

    private static final class RolledBack extends RuntimeException {
        private final int claimed;

        RolledBack(int claimed) {
            super(null, null, false, false);
            this.claimed = claimed;
        }
    }

    /**
     * Inserts a probe bot and job, claims the job with the real claim statement, and rolls it all
     * back. Throws when the claim does not come back with the job.
     */
    public void claimRoundTrip(long now) {
        String session = UUID.randomUUID().toString();
        BotRow bot = new BotRow(UUID.randomUUID().toString(), "health-probe", List.of(PROBE_TYPE), "{}", BotStatus.IDLE,
                session, now, now, false, now, new ArrayList<>());
        // the highest priority puts the probe first in claim order, however long the queue ahead of it
        NewJob job = new NewJob(UUID.randomUUID().toString(), PROBE_TYPE, "health-probe", null, Integer.MAX_VALUE, 1, now,
                null, null, null);
        int claimed;
        try {
            stores.database().inTransaction(tx -> {
                stores.bots().insert(tx, bot, "probe-" + bot.id());
                stores.jobs().insert(tx, List.of(job), now);
                List<JobRow> got = stores.jobs().claim(tx, bot.id(), session, List.of(PROBE_TYPE), 1, now, now + 1000,
                        EventKind.CLAIMED);
                throw new RolledBack(got.size());
            });
            throw new IllegalStateException("unreachable");
        } catch (RolledBack done) {
            claimed = done.claimed;
        }
        if (claimed != 1) {
            throw new IllegalStateException("the claim statement returned " + claimed + " jobs instead of the probe job");
        }
    }
}
