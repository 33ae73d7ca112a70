package io.shepherd.runtime.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.service.OperatorActions;
import io.shepherd.runtime.store.ScheduleStore;
import io.shepherd.runtime.store.Stores;

/**
 * The schedules over the API: read every one (with its next and last run), and create, change or
 * delete those not declared in the configuration (a declared one is changed by editing its
 * file: 409 here). Changes are recorded as operator actions.
 */
public final class Schedules {
    static final String CONFIG = "config";
    static final String API = "api";

    private final Stores stores;
    private final Clock clock;
    private final OperatorActions actions;

    public Schedules(Stores stores, Clock clock, OperatorActions actions) {
        this.stores = stores;
        this.clock = clock;
        this.actions = actions;
    }

    /** A schedule as the API shows it: its definition, where it comes from, its next slot and its last job. */
    public record View(ScheduleSpec spec, String source, long nextRunAt, Long lastRunAt, String lastJobId,
                       String lastJobStatus) {
    }

    /** What a client sends to create or change a schedule ({@code payload} JSON text; one of cron and everyMs). */
    public record Definition(String type, String queue, String payload, String cron, Long everyMs, String zone,
                             String overlap, String misfire) {
    }

    public List<View> list(Caller caller) {
        caller.requireClientOrViewer();
        return stores.database().read(db -> stores.schedules().list(db).stream().map(r -> view(db, r)).toList());
    }

    public View get(Caller caller, String name) {
        caller.requireClientOrViewer();
        return stores.database().read(db -> stores.schedules().find(db, name).map(r -> view(db, r)))
                .orElseThrow(() -> Problem.notFound("No schedule " + name));
    }

    /** Creates or changes a schedule; answers it and whether it was created. */
    public View put(Caller caller, String name, Definition d) {
        caller.requireAdmin();
        ScheduleSpec spec;
        try {
            spec = new ScheduleSpec(name, d.type(), d.queue(), d.payload(), d.cron(),
                    d.everyMs() == null ? null : Duration.ofMillis(d.everyMs()),
                    d.zone() == null ? null : ScheduleSpec.zone("zone", d.zone()),
                    d.overlap() == null ? null : ScheduleSpec.overlap("overlap", d.overlap()),
                    d.misfire() == null ? null : ScheduleSpec.misfire("misfire", d.misfire()));
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest(e.getMessage());
        }
        stores.database().inTransaction(tx -> {
            stores.schedules().find(tx, name).filter(r -> CONFIG.equals(r.source())).ifPresent(r -> {
                throw declared(name);
            });
            stores.schedules().save(tx, row(spec, API), clock.millis());
            return null;
        });
        actions.recordNow(caller, "schedule.put", name, describe(spec));
        return get(caller, name);
    }

    public void delete(Caller caller, String name) {
        caller.requireAdmin();
        stores.database().inTransaction(tx -> {
            ScheduleStore.ScheduleRow row = stores.schedules().find(tx, name)
                    .orElseThrow(() -> Problem.notFound("No schedule " + name));
            if (CONFIG.equals(row.source())) {
                throw declared(name);
            }
            stores.schedules().delete(tx, name);
            return null;
        });
        actions.recordNow(caller, "schedule.delete", name, null);
    }

    private static Problem declared(String name) {
        return Problem.conflict("Schedule " + name + " is declared in the configuration; change it there");
    }

    private View view(io.helidon.dbclient.DbExecute db, ScheduleStore.ScheduleRow r) {
        ScheduleSpec spec = spec(r);
        String status = r.lastJobId() == null ? null : stores.schedules().jobStatus(db, r.lastJobId()).orElse(null);
        return new View(spec, r.source(), spec.nextSlotAfter(r.lastSlotAt()), r.lastFiredAt(), r.lastJobId(), status);
    }

    static String describe(ScheduleSpec s) {
        return s.type() + " " + (s.cron() != null ? "cron '" + s.cron() + "' " + s.zone() : "every " + s.every());
    }

    static ScheduleStore.ScheduleRow row(ScheduleSpec s, String source) {
        return new ScheduleStore.ScheduleRow(s.name(), s.type(), s.queue(), s.payload(), s.cron(),
                s.every() == null ? null : s.every().toMillis(), s.zone().getId(), s.overlap().wire(), s.misfire().wire(),
                source, 0, 0, 0, null, null);
    }

    static ScheduleSpec spec(ScheduleStore.ScheduleRow r) {
        return new ScheduleSpec(r.name(), r.type(), r.queue(), r.payload(), r.cron(),
                r.everyMs() == null ? null : Duration.ofMillis(r.everyMs()), ZoneId.of(r.zone()),
                ScheduleSpec.overlap("overlap", r.overlap()), ScheduleSpec.misfire("misfire", r.misfire()));
    }
}
