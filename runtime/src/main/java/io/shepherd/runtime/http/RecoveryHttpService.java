package io.shepherd.runtime.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.recovery.PruneFinished;
import io.shepherd.runtime.recovery.RecoveryScheduler;
import io.shepherd.runtime.service.OperatorActions;

/**
 * {@code /v1/admin/recovery}: the scheduler's state, and one sweep or one retention run on demand
 * (the runbook's steps), each recorded as an operator action.
 */
public final class RecoveryHttpService implements HttpService {
    private final Api api;
    private final RecoveryScheduler scheduler;
    private final OperatorActions actions;

    public RecoveryHttpService(Api api, RecoveryScheduler scheduler, OperatorActions actions) {
        this.api = api;
        this.scheduler = scheduler;
        this.actions = actions;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::status)
                .any("/", Api.allow("GET"))
                .post("/run", this::run)
                .any("/run", Api.allow("POST"))
                .post("/prune", this::prune)
                .any("/prune", Api.allow("POST"));
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
        api.noBodyNeeded(req);
        var caller = api.caller(req);
        caller.requireAdmin();
        RecoveryScheduler.Sweep sweep = scheduler.runOnce();
        actions.recordNow(caller, "recovery.run", null, sweep.toString());
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
        api.noBodyNeeded(req);
        var caller = api.caller(req);
        caller.requireAdmin();
        PruneFinished.Pruned pruned = scheduler.pruneOnce();
        actions.recordNow(caller, "retention.run", null, pruned.toString());
        var jobs = JsonViews.BUILDERS.createObjectBuilder();
        pruned.jobs().forEach((status, n) -> jobs.add(status.wire(), n));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder()
                .add("jobs", jobs)
                .add("bots", pruned.bots())
                .add("actions", pruned.actions())
                .build());
    }
}
