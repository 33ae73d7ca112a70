package io.shepherd.runtime.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.service.ReadJobs;
import io.shepherd.runtime.service.RecentActivity;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code /v1/stats}: jobs and bots counted by status, every status present; {@code /v1/stats/recent}:
 * the last hour minute by minute, the wait p95, the orphans and each bot's outcomes.
 */
public final class StatsHttpService implements HttpService {
    private final Api api;
    private final ReadJobs readJobs;

    private final RecentActivity recentActivity;

    public StatsHttpService(Api api, ReadJobs readJobs, RecentActivity recentActivity) {
        this.api = api;
        this.readJobs = readJobs;
        this.recentActivity = recentActivity;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::stats).any("/", Api.allow("GET"))
                .get("/recent", this::recent).any("/recent", Api.allow("GET"));
    }

    private void stats(ServerRequest req, ServerResponse res) {
        ReadJobs.Stats stats = readJobs.stats(api.caller(req), Api.intQuery(req, "maxAgeMs"));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder()
                .add("jobs", JsonViews.counts(stats.jobs()))
                .add("bots", JsonViews.counts(stats.bots()))
                .add("countedAt", JsonViews.time(stats.countedAt()))
                .add("finishedCountedAt", JsonViews.time(stats.finishedCountedAt()))
                .build());
    }

    private void recent(ServerRequest req, ServerResponse res) {
        RecentActivity.Recent recent = recentActivity.recent(api.caller(req));
        JsonArrayBuilder minutes = JsonViews.BUILDERS.createArrayBuilder();
        recent.minutes().forEach(m -> minutes.add(JsonViews.BUILDERS.createObjectBuilder()
                .add("at", JsonViews.time(m.at()))
                .add("submitted", m.submitted())
                .add("completed", m.completed())
                .add("failed", m.failed())
                .add("deadLettered", m.deadLettered())
                .add("requeued", m.requeued())));
        JsonObjectBuilder bots = JsonViews.BUILDERS.createObjectBuilder();
        recent.bots().forEach((id, t) -> bots.add(id, JsonViews.BUILDERS.createObjectBuilder()
                .add("completed", t.completed()).add("failed", t.failed())));
        JsonObjectBuilder body = JsonViews.BUILDERS.createObjectBuilder()
                .add("at", JsonViews.time(recent.at()))
                .add("minutes", minutes);
        JsonViews.nullable(body, "waitP95Ms", recent.waitP95Ms());
        Responses.ok(res, body.add("waitsSeen", recent.waitsSeen())
                .add("orphans", recent.orphans())
                .add("bots", bots)
                .build());
    }
}
