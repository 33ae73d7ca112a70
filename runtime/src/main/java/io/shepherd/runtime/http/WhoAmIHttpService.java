package io.shepherd.runtime.http;

import java.util.Locale;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.auth.Caller;

/**
 * {@code GET /v1/whoami}: the role of the token presented, and the name it acts under (never the
 * token): how the console learns, at sign-in, whether to offer actions.
 */
public final class WhoAmIHttpService implements HttpService {
    private final Api api;

    public WhoAmIHttpService(Api api) {
        this.api = api;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::whoami).any("/", Api.allow("GET"));
    }

    private void whoami(ServerRequest req, ServerResponse res) {
        Caller caller = api.caller(req);
        var body = JsonViews.BUILDERS.createObjectBuilder()
                .add("role", caller.role().name().toLowerCase(Locale.ROOT))
                .add("actor", caller.actor());
        if (caller.botId() != null) {
            body.add("botId", caller.botId());
        }
        Responses.ok(res, body.build());
    }
}
