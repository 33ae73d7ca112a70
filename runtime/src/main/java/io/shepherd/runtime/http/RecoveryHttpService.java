package io.shepherd.runtime.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.recovery.PruneFinished;
import io.shepherd.runtime.recovery.RecoveryScheduler;

/** {@code /v1/admin/recovery}: the scheduler's state, and one sweep on demand (the runbook's step). */
public final class RecoveryHttpService implements HttpService {
    private final Api api;
    private final RecoveryScheduler scheduler;

    public RecoveryHttpService(Api api, RecoveryScheduler scheduler) {
        this.api = api;
        this.scheduler = scheduler;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::status)
                .any("/", Api.METHOD_NOT_ALLOWED)
                .post("/run", this::run)
                .any("/run", Api.METHOD_NOT_ALLOWED)
                .post("/prune", this::prune)
                .any("/prune", Api.METHOD_NOT_ALLOWED);
    }

    private void status(ServerRequest req, ServerResponse res) {
        api.caller(req).requireAdmin();
        RecoveryScheduler.Status status = scheduler.status();
        var body = JsonViews.BUILDERS.createObjectBuilder()
                .add("leader", status.leader())
                .add("sweeps", status.sweeps());
        if (status.lastSweepAt() > 0) {
            body.add("lastSweepAt", JsonViews.time(status.lastSweepAt()));
        } else {
            body.addNull("lastSweepAt");
        }
        if (status.graceUntil() > 0) {
            body.add("graceUntil", JsonViews.time(status.graceUntil()));
        } else {
            body.addNull("graceUntil");
        }
        Responses.ok(res, body.build());
    }

    private void run(ServerRequest req, ServerResponse res) {
        api.caller(req).requireAdmin();
        RecoveryScheduler.Sweep sweep = scheduler.runOnce();
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder()
                .add("requeued", sweep.requeued())
                .add("deadLettered", sweep.deadLettered())
                .add("botsMarkedLost", sweep.botsMarkedLost())
                .add("botsQuarantined", sweep.quarantined())
                .add("timedOut", sweep.timedOut())
                .build());
    }

    /** Retention now: what it deleted, by status. */
    private void prune(ServerRequest req, ServerResponse res) {
        api.caller(req).requireAdmin();
        PruneFinished.Pruned pruned = scheduler.pruneOnce();
        var jobs = JsonViews.BUILDERS.createObjectBuilder();
        pruned.jobs().forEach((status, n) -> jobs.add(status.wire(), n));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder()
                .add("jobs", jobs)
                .add("bots", pruned.bots())
                .add("actions", pruned.actions())
                .build());
    }
}
