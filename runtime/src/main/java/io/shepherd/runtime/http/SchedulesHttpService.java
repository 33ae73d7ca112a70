package io.shepherd.runtime.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.schedule.ScheduleSpec;
import io.shepherd.runtime.schedule.Schedules;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/** {@code /v1/schedules}: every schedule with its next and last run; an admin's put and delete. */
public final class SchedulesHttpService implements HttpService {
    private final Api api;
    private final Schedules schedules;

    public SchedulesHttpService(Api api, Schedules schedules) {
        this.api = api;
        this.schedules = schedules;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .any("/", Api.allow("GET"))
                .get("/{name}", this::get)
                .put("/{name}", this::put)
                .delete("/{name}", this::delete)
                .any("/{name}", Api.allow("GET", "PUT", "DELETE"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        JsonArrayBuilder array = JsonViews.BUILDERS.createArrayBuilder();
        schedules.list(api.caller(req)).forEach(s -> array.add(view(s)));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder().add("schedules", array).build());
    }

    private void get(ServerRequest req, ServerResponse res) {
        Responses.ok(res, view(schedules.get(api.caller(req), name(req))));
    }

    private void put(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        caller.requireAdmin();
        Body body = api.body(req);
        Schedules.View view = schedules.put(caller, name(req), new Schedules.Definition(body.optString("type"),
                body.optString("queue"), body.optJson("payload"), body.optString("cron"), body.optLong("everyMs"),
                body.optString("zone"), body.optString("overlap"), body.optString("misfire")));
        Responses.ok(res, view(view));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        api.noBodyNeeded(req);
        schedules.delete(api.caller(req), name(req));
        Responses.noContent(res);
    }

    private static String name(ServerRequest req) {
        return req.path().pathParameters().get("name");
    }

    static JsonObject view(Schedules.View v) {
        ScheduleSpec s = v.spec();
        JsonObjectBuilder b = JsonViews.BUILDERS.createObjectBuilder()
                .add("name", s.name())
                .add("type", s.type())
                .add("queue", s.queue())
                .add("payload", JsonViews.json(s.payload()));
        if (s.cron() != null) {
            b.add("cron", s.cron()).addNull("everyMs");
        } else {
            b.addNull("cron").add("everyMs", s.every().toMillis());
        }
        b.add("zone", s.zone().getId())
                .add("overlap", s.overlap().wire())
                .add("misfire", s.misfire().wire())
                .add("source", v.source())
                .add("nextRunAt", JsonViews.time(v.nextRunAt()));
        if (v.lastRunAt() == null) {
            b.addNull("lastRunAt");
        } else {
            b.add("lastRunAt", JsonViews.time(v.lastRunAt()));
        }
        if (v.lastJobId() == null) {
            b.addNull("lastJobId").addNull("lastJobStatus");
        } else {
            b.add("lastJobId", v.lastJobId());
            if (v.lastJobStatus() == null) {
                b.addNull("lastJobStatus");
            } else {
                b.add("lastJobStatus", v.lastJobStatus());
            }
        }
        return b.build();
    }
}
