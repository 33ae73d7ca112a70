package io.shepherd.runtime.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.service.ReadJobs;
import io.shepherd.runtime.store.JobStore;
import jakarta.json.JsonArrayBuilder;

/** {@code /v1/events}: every job's events in order, after a cursor: what a live tail follows. */
public final class EventsHttpService implements HttpService {
    private final Api api;
    private final ReadJobs readJobs;

    public EventsHttpService(Api api, ReadJobs readJobs) {
        this.api = api;
        this.readJobs = readJobs;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::feed).any("/", Api.allow("GET"));
    }

    private void feed(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        String after = Api.query(req, "after");
        Long afterId;
        try {
            afterId = after == null ? null : Long.valueOf(after);
        } catch (NumberFormatException e) {
            throw Problem.badRequest("after is not a cursor this API returned");
        }
        var events = readJobs.feed(caller, afterId, Api.intQuery(req, "limit"));
        JsonArrayBuilder array = JsonViews.BUILDERS.createArrayBuilder();
        for (JobStore.FedEvent e : events) {
            array.add(JsonViews.BUILDERS.createObjectBuilder(JsonViews.event(e.event()))
                    .add("id", e.id()).add("jobId", e.event().jobId()));
        }
        var body = JsonViews.BUILDERS.createObjectBuilder().add("events", array);
        if (events.isEmpty()) {
            if (afterId == null) {
                body.addNull("next");
            } else {
                body.add("next", Long.toString(afterId));
            }
        } else {
            body.add("next", Long.toString(events.getLast().id()));
        }
        Responses.ok(res, body.build());
    }
}
