package io.shepherd.runtime.http;

import java.util.List;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.service.OperatorActions;
import io.shepherd.runtime.store.ActionStore;
import jakarta.json.JsonArrayBuilder;

/** {@code /v1/admin/actions}: the record of operator actions, newest first, by cursor. */
public final class ActionsHttpService implements HttpService {
    private final Api api;
    private final OperatorActions actions;

    public ActionsHttpService(Api api, OperatorActions actions) {
        this.api = api;
        this.actions = actions;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list).any("/", Api.allow("GET"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        Integer limit = Api.intQuery(req, "limit");
        String before = Api.query(req, "before");
        Long beforeId;
        try {
            beforeId = before == null ? null : Long.valueOf(before);
        } catch (NumberFormatException e) {
            throw Problem.badRequest("before is not a cursor this API returned");
        }
        int size = limit == null ? 100 : limit;
        List<ActionStore.Action> page = actions.list(caller, beforeId, size);
        JsonArrayBuilder array = JsonViews.BUILDERS.createArrayBuilder();
        page.forEach(a -> {
            var b = JsonViews.BUILDERS.createObjectBuilder()
                    .add("at", JsonViews.time(a.at()))
                    .add("actor", a.actor())
                    .add("action", a.action());
            if (a.target() == null) {
                b.addNull("target");
            } else {
                b.add("target", a.target());
            }
            if (a.detail() == null) {
                b.addNull("detail");
            } else {
                b.add("detail", a.detail());
            }
            array.add(b);
        });
        var body = JsonViews.BUILDERS.createObjectBuilder().add("actions", array);
        if (page.size() == size) {
            body.add("next", Long.toString(page.getLast().id()));
        } else {
            body.addNull("next");
        }
        Responses.ok(res, body.build());
    }
}
