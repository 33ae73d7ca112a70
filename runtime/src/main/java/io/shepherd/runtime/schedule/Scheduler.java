package io.shepherd.runtime.schedule;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.shepherd.runtime.db.Database;
import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Threads;
import io.shepherd.runtime.service.SubmitJobs;
import io.shepherd.runtime.store.ScheduleStore;
import io.shepherd.runtime.store.Stores;

/**
 * Makes each schedule's jobs, on every replica at once. Every tick each replica looks for
 * schedules with a slot due; for one it submits the slot's job under the slot's idempotency key
 * (racing replicas insert it once) and then moves the schedule past the slot by compare-and-set
 * (one replica moves it). A replica killed between the two leaves the slot's job made and the
 * schedule behind: the next tick, on any replica, finds the job by its key and moves on — no
 * slot is lost and none is doubled, whichever replicas are up.
 */
public final class Scheduler implements Background {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    private final Stores stores;
    private final SubmitJobs submitJobs;
    private final Clock clock;
    private final Duration tick;
    /** A slot further in the past than this when first seen was missed (every replica was down). */
    private final long graceMillis;
    private final ScheduledExecutorService timer = Threads.timer(name());
    /** Declared schedules not yet written to the database (it may still be away at start). */
    private final AtomicReference<ScheduleBook> declared = new AtomicReference<>();
    private volatile boolean failing;

    /** {@code initial}: the schedules the configuration declares; null until a schedules file is read. */
    public Scheduler(Stores stores, SubmitJobs submitJobs, Clock clock, Duration tick, ScheduleBook initial) {
        this.stores = stores;
        this.submitJobs = submitJobs;
        this.clock = clock;
        this.tick = tick;
        this.graceMillis = Math.max(5000, 3 * tick.toMillis());
        this.declared.set(initial);
    }

    @Override
    public String name() {
        return "schedules";
    }

    @Override
    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** New declared schedules (the file changed): written at the next tick. */
    public void replace(ScheduleBook book) {
        declared.set(book);
    }

    void tick() {
        if (!stores.database().migrated()) {
            return;
        }
        try {
            runOnce();
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "Schedules run again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.log(System.Logger.Level.WARNING, "Schedules could not run"
                        + (Database.isUnavailable(e) ? " (database unreachable)" : "") + ": " + e.getMessage());
            }
        }
    }

    /** One look at every schedule now; answers the jobs made. */
    public synchronized List<String> runOnce() {
        ScheduleBook book = declared.get();
        if (book != null) {
            write(book); // kept until written: a database away at start does not lose the declared schedules
            declared.compareAndSet(book, null);
        }
        long now = clock.millis();
        List<String> made = new ArrayList<>();
        for (ScheduleStore.ScheduleRow row : stores.schedules().list(stores.database().execute())) {
            try {
                String job = fire(row, now);
                if (job != null) {
                    made.add(job);
                }
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "Schedule " + row.name() + " is invalid: " + e.getMessage());
            }
        }
        return made;
    }

    /** Writes the declared schedules; those no longer declared go. */
    private void write(ScheduleBook book) {
        long now = clock.millis();
        stores.database().inTransaction(tx -> {
            for (ScheduleSpec spec : book.schedules()) {
                stores.schedules().save(tx, Schedules.row(spec, Schedules.CONFIG), now);
            }
            stores.schedules().deleteConfigExcept(tx, book.schedules().stream().map(ScheduleSpec::name).toList());
            return null;
        });
        LOG.log(System.Logger.Level.INFO, "Schedules declared in the configuration: " + book.summary());
    }

    /**
     * Makes the job of the schedule's due slot, if one is due and its rules allow; its id, or null.
     * A slot due within the grace is made on its own (a late tick catches up slot by slot); slots
     * older than that were missed while no replica ran, and the misfire rule decides: one job for
     * the latest of them, or none.
     */
    private String fire(ScheduleStore.ScheduleRow row, long now) {
        ScheduleSpec spec = Schedules.spec(row);
        long next = spec.nextSlotAfter(row.lastSlotAt());
        if (next > now) {
            return null;
        }
        var db = stores.database().execute();
        long slot = next;
        if (now - next > graceMillis) {
            slot = spec.latestSlotAtOrBefore(now, next);
            if (spec.misfire() == ScheduleSpec.Misfire.SKIP && now - slot > graceMillis) {
                if (stores.schedules().advance(db, row.name(), row.lastSlotAt(), slot, null, now)) {
                    LOG.log(System.Logger.Level.INFO, "Schedule " + row.name() + ": slots up to " + java.time.Instant
                            .ofEpochMilli(slot) + " were missed while no replica ran; skipped (misfire: skip)");
                }
                return null;
            }
        }
        if (spec.overlap() == ScheduleSpec.Overlap.SKIP && row.lastJobId() != null && stores.schedules()
                .jobStatus(db, row.lastJobId()).filter(s -> Set.of("pending", "claimed").contains(s)).isPresent()) {
            if (stores.schedules().advance(db, row.name(), row.lastSlotAt(), slot, null, now)) {
                LOG.log(System.Logger.Level.INFO, "Schedule " + row.name() + ": slot " + java.time.Instant.ofEpochMilli(slot)
                        + " skipped, its previous job " + row.lastJobId() + " still runs (overlap: skip)");
            }
            return null;
        }
        SubmitJobs.Submitted submitted = submitJobs.submit(new SubmitJobs.Submission(spec.type(), spec.payload(),
                spec.queue(), null, null, null, spec.slotKey(slot), "schedule:" + spec.name(), null));
        String id = submitted.job().id();
        boolean moved = stores.schedules().advance(db, row.name(), row.lastSlotAt(), slot, id, now);
        if (!submitted.created()) {
            // a replica made this slot's job and died before moving the schedule on: nothing more to make
            return null;
        }
        if (moved) {
            LOG.log(System.Logger.Level.INFO, "Schedule " + row.name() + " made job " + id + " for its slot "
                    + java.time.Instant.ofEpochMilli(slot));
        }
        return id;
    }

    @Override
    public void close() {
        Threads.stop(timer);
    }
}
