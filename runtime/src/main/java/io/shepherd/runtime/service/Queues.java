package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.Names;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.StatusCounts;
import io.shepherd.runtime.store.QueueStore;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * Queues an operator can pause, resume and limit. A paused queue's jobs are not claimed; a
 * limited queue never has more than its limit claimed at once across every bot (each claim from
 * it counts under the queue's row lock). The settings live in the database; each replica reads
 * them at most a second old on its claim path, and at once after a change it made itself.
 */
public final class Queues {
    /** How old the settings a claim uses may be: a change on another replica is in force within this. */
    static final long FRESH_MILLIS = 1000;
    public static final int MAX_LIMIT = 100_000;

    private final Stores stores;
    private final Clock clock;
    private final JobSignal signal;
    private final OperatorActions actions;
    /** The read time of rules never read: the next claim reads them. */
    private static final long UNREAD = Long.MIN_VALUE;
    private volatile Rules rules = new Rules(Set.of(), Map.of(), UNREAD);

    public Queues(Stores stores, Clock clock, JobSignal signal, OperatorActions actions) {
        this.stores = stores;
        this.clock = clock;
        this.signal = signal;
        this.actions = actions;
    }

    /** What a claim must respect: the paused queues, and the limited ones with their limits. */
    record Rules(Set<String> paused, Map<String, Integer> limited, long readAt, List<String> excluded,
                 List<String> limitedRunning) {
        /**
         * {@code excluded}: the queues the ordinary claim leaves out — paused ones, and limited ones
         * (claimed apart, under their lock); {@code limitedRunning}: limited queues that are not
         * paused, those a claim takes from one by one. Both worked out once, not on every claim.
         */
        Rules(Set<String> paused, Map<String, Integer> limited, long readAt) {
            this(paused, limited, readAt, excludedOf(paused, limited), limitedRunningOf(paused, limited));
        }

        private static List<String> excludedOf(Set<String> paused, Map<String, Integer> limited) {
            Set<String> all = new TreeSet<>(paused);
            all.addAll(limited.keySet());
            return List.copyOf(all);
        }

        private static List<String> limitedRunningOf(Set<String> paused, Map<String, Integer> limited) {
            return limited.keySet().stream().filter(q -> !paused.contains(q)).sorted().toList();
        }
    }

    /** The rules, read again when older than a second. */
    Rules rules() {
        Rules current = rules;
        long now = clock.millis();
        if (current.readAt() != UNREAD && now >= current.readAt() && now - current.readAt() < FRESH_MILLIS) {
            return current;
        }
        Set<String> paused = new TreeSet<>();
        Map<String, Integer> limited = new HashMap<>();
        for (QueueStore.QueueRow q : stores.queues().list(stores.database().execute())) {
            if (q.paused()) {
                paused.add(q.name());
            }
            if (q.maxClaimed() != null) {
                limited.put(q.name(), q.maxClaimed());
            }
        }
        Rules fresh = new Rules(Set.copyOf(paused), Map.copyOf(limited), now);
        rules = fresh;
        return fresh;
    }

    /** One queue as {@code GET /v1/queues} shows it. */
    public record QueueView(String name, boolean paused, Integer maxClaimed, Map<String, Long> jobs) {
    }

    /** Every queue that has jobs or settings, with its jobs counted by status. */
    public List<QueueView> list(Caller caller) {
        caller.requireClientOrViewer();
        return stores.database().read(db -> {
            Map<String, QueueStore.QueueRow> settings = new LinkedHashMap<>();
            stores.queues().list(db).forEach(q -> settings.put(q.name(), q));
            Map<String, Map<String, Long>> counts = stores.queues().counts(db);
            Set<String> names = new TreeSet<>(settings.keySet());
            names.addAll(counts.keySet());
            List<QueueView> views = new ArrayList<>(names.size());
            for (String name : names) {
                QueueStore.QueueRow q = settings.get(name);
                views.add(new QueueView(name, q != null && q.paused(), q == null ? null : q.maxClaimed(),
                        StatusCounts.jobs(counts.getOrDefault(name, Map.of()))));
            }
            return views;
        });
    }

    public QueueView get(Caller caller, String name) {
        return list(caller).stream().filter(q -> q.name().equals(name)).findFirst()
                .orElseGet(() -> new QueueView(name, false, null, StatusCounts.jobs(Map.of())));
    }

    /** Pauses or resumes a queue; recorded as an operator action. */
    public QueueView setPaused(Caller caller, String name, boolean paused) {
        caller.requireAdmin();
        validName(name);
        String action = paused ? "queue.pause" : "queue.resume";
        stores.database().inTransaction(tx -> {
            Integer limit = stores.queues().find(tx, name).map(QueueStore.QueueRow::maxClaimed).orElse(null);
            stores.queues().save(tx, name, paused, limit, clock.millis());
            actions.record(tx, caller, action, name, null);
            return null;
        });
        OperatorActions.log(caller, action, name, null);
        changed(name);
        return get(caller, name);
    }

    /** Sets (or, with null, lifts) a queue's limit on jobs claimed at once; recorded as an operator action. */
    public QueueView setLimit(Caller caller, String name, Integer maxClaimed) {
        caller.requireAdmin();
        validName(name);
        if (maxClaimed != null && (maxClaimed < 0 || maxClaimed > MAX_LIMIT)) {
            throw Problem.badRequest("maxClaimed must be between 0 and " + MAX_LIMIT + " (or null for no limit), was "
                    + maxClaimed);
        }
        String detail = maxClaimed == null ? "no limit" : "at most " + maxClaimed + " claimed";
        stores.database().inTransaction(tx -> {
            boolean paused = stores.queues().find(tx, name).map(QueueStore.QueueRow::paused).orElse(false);
            stores.queues().save(tx, name, paused, maxClaimed, clock.millis());
            actions.record(tx, caller, "queue.limit", name, detail);
            return null;
        });
        OperatorActions.log(caller, "queue.limit", name, detail);
        changed(name);
        return get(caller, name);
    }

    /** This replica reads the settings anew at its next claim, and waiting bots of the queue's types look again. */
    private void changed(String queue) {
        rules = new Rules(Set.of(), Map.of(), UNREAD);
        long now = clock.millis();
        Map<String, Long> due = new HashMap<>();
        stores.queues().pendingTypes(stores.database().execute(), queue).forEach(type -> due.put(type, now));
        signal.jobsAvailable(due, now);
    }

    private static void validName(String name) {
        if (!Names.name(name)) {
            throw Problem.badRequest("a queue name is " + Names.NAME_RULE);
        }
    }
}
