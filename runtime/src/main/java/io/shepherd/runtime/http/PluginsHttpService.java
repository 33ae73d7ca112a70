package io.shepherd.runtime.http;

import java.util.List;
import java.util.function.Supplier;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.plugins.PluginInfo;
import jakarta.json.JsonObjectBuilder;

/** {@code GET /v1/admin/plugins}: every health check and recovery policy, where it came from, and any load error. */
public final class PluginsHttpService implements HttpService {
    private final Api api;
    private final Supplier<List<PluginInfo>> plugins;

    public PluginsHttpService(Api api, Supplier<List<PluginInfo>> plugins) {
        this.api = api;
        this.plugins = plugins;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list).any("/", Api.allow("GET"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        api.caller(req).requireOperatorView();
        var array = JsonViews.BUILDERS.createArrayBuilder();
        for (PluginInfo p : plugins.get()) {
            JsonObjectBuilder one = JsonViews.BUILDERS.createObjectBuilder()
                    .add("name", p.name())
                    .add("kind", p.kind())
                    .add("source", p.source())
                    .add("status", p.status());
            if (p.error() != null) {
                one.add("error", p.error());
            }
            array.add(one);
        }
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder().add("plugins", array).build());
    }
}
