package io.shepherd.runtime.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.service.Queues;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/** {@code /v1/queues}: every queue with its counts, state and limit; an admin's pause, resume and limit. */
public final class QueuesHttpService implements HttpService {
    private final Api api;
    private final Queues queues;

    public QueuesHttpService(Api api, Queues queues) {
        this.api = api;
        this.queues = queues;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .any("/", Api.allow("GET"))
                .get("/{name}", this::get)
                .any("/{name}", Api.allow("GET"))
                .post("/{name}/pause", (req, res) -> paused(req, res, true))
                .any("/{name}/pause", Api.allow("POST"))
                .post("/{name}/resume", (req, res) -> paused(req, res, false))
                .any("/{name}/resume", Api.allow("POST"))
                .put("/{name}/limit", this::limit)
                .any("/{name}/limit", Api.allow("PUT"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        JsonArrayBuilder array = JsonViews.BUILDERS.createArrayBuilder();
        queues.list(api.caller(req)).forEach(q -> array.add(view(q)));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder().add("queues", array).build());
    }

    private void get(ServerRequest req, ServerResponse res) {
        Responses.ok(res, view(queues.get(api.caller(req), name(req))));
    }

    private void paused(ServerRequest req, ServerResponse res, boolean paused) {
        api.noBodyNeeded(req);
        Responses.ok(res, view(queues.setPaused(api.caller(req), name(req), paused)));
    }

    /** {@code {"maxClaimed": 5}}, or {@code {"maxClaimed": null}} to lift the limit. */
    private void limit(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        caller.requireAdmin();
        Body body = api.body(req);
        JsonObject json = body.json();
        if (!json.containsKey("maxClaimed")) {
            throw Problem.badRequest("maxClaimed is required: the most jobs claimed at once, or null for no limit");
        }
        Responses.ok(res, view(queues.setLimit(caller, name(req), body.optInt("maxClaimed"))));
    }

    private static String name(ServerRequest req) {
        return req.path().pathParameters().get("name");
    }

    static JsonObject view(Queues.QueueView q) {
        JsonObjectBuilder b = JsonViews.BUILDERS.createObjectBuilder()
                .add("name", q.name())
                .add("paused", q.paused());
        if (q.maxClaimed() == null) {
            b.addNull("maxClaimed");
        } else {
            b.add("maxClaimed", q.maxClaimed());
        }
        return b.add("jobs", JsonViews.counts(q.jobs())).build();
    }
}
