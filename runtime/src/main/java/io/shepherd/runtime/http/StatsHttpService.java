package io.shepherd.runtime.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.service.ReadJobs;

/** {@code /v1/stats}: jobs and bots counted by status, every status present. */
public final class StatsHttpService implements HttpService {
    private final Api api;
    private final ReadJobs readJobs;

    public StatsHttpService(Api api, ReadJobs readJobs) {
        this.api = api;
        this.readJobs = readJobs;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::stats).any("/", Api.allow("GET"));
    }

    private void stats(ServerRequest req, ServerResponse res) {
        ReadJobs.Stats stats = readJobs.stats(api.caller(req));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder()
                .add("jobs", JsonViews.counts(stats.jobs()))
                .add("bots", JsonViews.counts(stats.bots()))
                .build());
    }
}
