package io.shepherd.runtime.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.service.BulkJobs;
import io.shepherd.runtime.service.CancelJob;
import io.shepherd.runtime.service.CompleteJob;
import io.shepherd.runtime.service.FailJob;
import io.shepherd.runtime.service.ReadJobs;
import io.shepherd.runtime.service.ReleaseJob;
import io.shepherd.runtime.service.RetryJob;
import io.shepherd.runtime.service.Services;
import io.shepherd.runtime.service.SubmitJobs;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/** {@code /v1/jobs}: submit, read, cancel, retry, and the holder's complete / fail / release. */
public final class JobsHttpService implements HttpService {
    private final Api api;
    private final SubmitJobs submitJobs;
    private final ReadJobs readJobs;
    private final CancelJob cancelJob;
    private final RetryJob retryJob;
    private final CompleteJob completeJob;
    private final FailJob failJob;
    private final ReleaseJob releaseJob;
    private final BulkJobs bulkJobs;

    public JobsHttpService(Api api, Services services) {
        this.api = api;
        this.submitJobs = services.submitJobs();
        this.readJobs = services.readJobs();
        this.cancelJob = services.cancelJob();
        this.retryJob = services.retryJob();
        this.completeJob = services.completeJob();
        this.failJob = services.failJob();
        this.releaseJob = services.releaseJob();
        this.bulkJobs = services.bulkJobs();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::submit)
                .get("/", this::list)
                .any("/", Api.allow("GET", "POST"))
                .post("/batch", this::submitBatch)
                .any("/batch", Api.allow("POST"))
                .post("/bulk", this::bulk)
                .any("/bulk", Api.allow("POST"))
                .get("/{id}", this::get)
                .any("/{id}", Api.allow("GET"))
                .get("/{id}/events", this::events)
                .any("/{id}/events", Api.allow("GET"))
                .post("/{id}/cancel", this::cancel)
                .any("/{id}/cancel", Api.allow("POST"))
                .post("/{id}/retry", this::retry)
                .any("/{id}/retry", Api.allow("POST"))
                .post("/{id}/complete", this::complete)
                .any("/{id}/complete", Api.allow("POST"))
                .post("/{id}/fail", this::fail)
                .any("/{id}/fail", Api.allow("POST"))
                .post("/{id}/release", this::release)
                .any("/{id}/release", Api.allow("POST"));
    }

    private void submit(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        caller.requireClient();
        SubmitJobs.Submitted submitted = submitJobs.submit(submission(api.body(req)));
        Responses.json(res, submitted.created() ? 201 : 200, JsonViews.job(new JsonText(), submitted.job()));
    }

    private void submitBatch(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        caller.requireClient();
        var array = api.body(req).array("jobs");
        List<SubmitJobs.Submission> submissions = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonValue item = array.get(i);
            if (!(item instanceof JsonObject object)) {
                throw Problem.badRequest("jobs[" + i + "] must be a JSON object");
            }
            try {
                submissions.add(submission(Body.of(object)));
            } catch (Problem p) {
                throw p.status() == 400 ? Problem.badRequest("jobs[" + i + "]." + p.detail()) : p;
            }
        }
        List<SubmitJobs.Submitted> submitted = submitJobs.submitBatch(submissions);
        List<JobRow> jobs = submitted.stream().map(SubmitJobs.Submitted::job).toList();
        Responses.json(res, 201, JsonViews.jobs(new JsonText().raw("{"), "jobs", jobs, true).raw("}"));
    }

    private static SubmitJobs.Submission submission(Body body) {
        return new SubmitJobs.Submission(body.optString("type"), body.optJson("payload"), body.optString("queue"),
                body.optInt("priority"), body.optInt("maxAttempts"), body.optTime("runAt"),
                body.optString("idempotencyKey"),
                Objects.requireNonNullElseGet(body.optString("correlationId"), ApiFilter::current),
                body.optLong("timeoutMs"));
    }

    /** {@code {"action": "retry", "filter": {"status": "dead", "error": "timeout", "since": "..."}}}. */
    private void bulk(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        Body body = api.body(req);
        BulkJobs.Action action = BulkJobs.Action.of(body.string("action"));
        JsonObject filter = body.optObject("filter");
        Body f = Body.of(filter == null ? JsonValue.EMPTY_JSON_OBJECT : filter);
        BulkJobs.Filter picked;
        try {
            picked = new BulkJobs.Filter(f.optString("status"), f.optString("type"), f.optString("queue"),
                    f.optTime("since"), f.optTime("until"), f.optString("error"));
        } catch (Problem p) {
            throw p.status() == 400 ? Problem.badRequest("filter." + p.detail()) : p;
        }
        long touched = bulkJobs.apply(caller, action, picked);
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder().add("action", action.wire())
                .add("touched", touched).build());
    }

    private void list(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        ReadJobs.Page page = readJobs.list(caller, new ReadJobs.Query(Api.query(req, "status"), Api.query(req, "type"),
                Api.query(req, "queue"), Api.query(req, "bot"), Api.query(req, "key"), Api.timeQuery(req, "since"),
                Api.timeQuery(req, "until"), Api.query(req, "order"), Api.intQuery(req, "limit"),
                Api.query(req, "after")));
        JsonText body = JsonViews.jobs(new JsonText().raw("{"), "jobs", page.jobs(), false);
        Responses.json(res, 200, body.comma().member("next", page.next()).raw("}"));
    }

    private void get(ServerRequest req, ServerResponse res) {
        ok(res, readJobs.get(api.caller(req), Api.id(req)));
    }

    private void events(ServerRequest req, ServerResponse res) {
        List<JobEvent> events = readJobs.events(api.caller(req), Api.id(req));
        JsonArrayBuilder array = JsonViews.BUILDERS.createArrayBuilder();
        events.forEach(e -> array.add(JsonViews.event(e)));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder().add("events", array).build());
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        api.noBodyNeeded(req);
        ok(res, cancelJob.cancel(api.caller(req), Api.id(req)));
    }

    private void retry(ServerRequest req, ServerResponse res) {
        api.noBodyNeeded(req);
        ok(res, retryJob.retry(api.caller(req), Api.id(req)));
    }

    private void complete(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        Body body = api.body(req);
        ok(res, completeJob.complete(caller, Api.id(req), body.string("leaseToken"), body.optJson("result")));
    }

    private void fail(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        Body body = api.body(req);
        Boolean retryable = body.optBoolean("retryable");
        ok(res, failJob.fail(caller, Api.id(req), body.string("leaseToken"), body.string("error"),
                retryable == null || retryable));
    }

    private void release(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        Body body = api.body(req);
        ok(res, releaseJob.release(caller, Api.id(req), body.string("leaseToken")));
    }

    /** 200 with the job, whole. */
    private static void ok(ServerResponse res, JobRow job) {
        Responses.json(res, 200, JsonViews.job(new JsonText(), job));
    }
}
