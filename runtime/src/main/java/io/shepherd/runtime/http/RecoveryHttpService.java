package io.shepherd.runtime.http;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.policy.PolicyBook;
import io.shepherd.runtime.recovery.PruneFinished;
import io.shepherd.runtime.recovery.RecoveryScheduler;
import io.shepherd.runtime.service.OperatorActions;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code /v1/admin/recovery}: the scheduler's state, the recovery policies in force, and one sweep
 * or one retention run on demand (the runbook's steps), each recorded as an operator action.
 */
public final class RecoveryHttpService implements HttpService {
    private final Api api;
    private final RecoveryScheduler scheduler;
    private final OperatorActions actions;
    private final Supplier<PolicyBook> policies;

    public RecoveryHttpService(Api api, RecoveryScheduler scheduler, OperatorActions actions,
                               Supplier<PolicyBook> policies) {
        this.api = api;
        this.scheduler = scheduler;
        this.actions = actions;
        this.policies = policies;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::status)
                .any("/", Api.allow("GET"))
                .get("/policies", this::policies)
                .any("/policies", Api.allow("GET"))
                .post("/run", this::run)
                .any("/run", Api.allow("POST"))
                .post("/prune", this::prune)
                .any("/prune", Api.allow("POST"));
    }

    private void status(ServerRequest req, ServerResponse res) {
        api.caller(req).requireOperatorView();
        RecoveryScheduler.Status status = scheduler.status();
        var body = JsonViews.BUILDERS.createObjectBuilder()
                .add("leader", status.leader())
                .add("sweeps", status.sweeps());
        JsonViews.nullableTime(body, "lastSweepAt", status.lastSweepAt() > 0 ? status.lastSweepAt() : null);
        JsonViews.nullableTime(body, "graceUntil", status.graceUntil() > 0 ? status.graceUntil() : null);
        body.add("replica", scheduler.replicaId());
        var anywhere = scheduler.lastSweepAnywhere();
        var last = JsonViews.BUILDERS.createObjectBuilder();
        JsonViews.nullableTime(last, "at", anywhere.at() > 0 ? anywhere.at() : null);
        JsonViews.nullable(last, "by", anywhere.by());
        Responses.ok(res, body.add("lastSweep", last).build());
    }

    /** The policies in force now (the policies file's latest valid content, or the configuration's). */
    private void policies(ServerRequest req, ServerResponse res) {
        api.caller(req).requireOperatorView();
        PolicyBook book = policies.get();
        JsonObjectBuilder types = JsonViews.BUILDERS.createObjectBuilder();
        new TreeMap<>(book.byType()).forEach((type, policy) -> types.add(type, policy(policy)));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder()
                .add("default", policy(book.defaults()))
                .add("types", types)
                .add("quarantineAfter", book.quarantineAfter())
                .build());
    }

    private static JsonObject policy(PolicyBook.TypePolicy p) {
        var s = p.settings();
        JsonObjectBuilder retention = JsonViews.BUILDERS.createObjectBuilder();
        for (Map.Entry<JobStatus, java.time.Duration> e : new TreeMap<>(p.retention()).entrySet()) {
            retention.add(e.getKey().wire(), e.getValue().toMillis());
        }
        JsonObjectBuilder options = JsonViews.BUILDERS.createObjectBuilder();
        new TreeMap<>(s.options()).forEach(options::add);
        JsonObjectBuilder b = JsonViews.BUILDERS.createObjectBuilder()
                .add("policy", p.policy())
                .add("maxAttempts", s.maxAttempts())
                .add("backoff", JsonViews.BUILDERS.createObjectBuilder()
                        .add("initialMs", s.backoff().initial().toMillis())
                        .add("multiplier", s.backoff().multiplier())
                        .add("maxMs", s.backoff().max().toMillis())
                        .add("jitter", s.backoff().jitter()))
                .add("onExhausted", s.onExhausted())
                .add("options", options)
                .add("retentionMs", retention);
        JsonViews.nullable(b, "timeoutMs", p.timeout() == null ? null : p.timeout().toMillis());
        return b.build();
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
